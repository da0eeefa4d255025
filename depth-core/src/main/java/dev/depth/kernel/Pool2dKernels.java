package dev.depth.kernel;

/**
 * Max and average pooling over NCHW float arrays. Windows that hang over the padding ignore it
 * (max) or count it as zeros (average, PyTorch's {@code count_include_pad=True}).
 *
 * <p>Threading: planes are split over {@link Parallel}; each output depends on one plane only, so
 * results do not depend on the thread count. Without padding every window lies inside the plane
 * and the forward passes take loops without bounds tests; the {@code *Reference} methods are the
 * general definitions they are tested against.
 */
public final class Pool2dKernels {
    private Pool2dKernels() {}

    /** Pooling geometry; {@code planes = n * c}. */
    public record Geometry(int planes, int h, int w, int kh, int kw, int strideH, int strideW, int padH, int padW) {
        public int oh() { return (h + 2 * padH - kh) / strideH + 1; }
        public int ow() { return (w + 2 * padW - kw) / strideW + 1; }
    }

    /**
     * out = max over each window; argmax receives the flat index (within the plane) of each max.
     * NaN wins; among equal maxima the first in row-major order wins.
     */
    public static void maxForward(Geometry g, float[] x, float[] out, int[] argmax) {
        if (g.padH() != 0 || g.padW() != 0) {
            maxForwardReference(g, x, out, argmax);
            return;
        }
        int oh = g.oh(), ow = g.ow(), w = g.w(), hw = g.h() * w, kh = g.kh(), kw = g.kw(), sh = g.strideH(), sw = g.strideW();
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xo = p * hw, oo = p * oh * ow;
                for (int y = 0; y < oh; y++) {
                    for (int xq = 0; xq < ow; xq++) {
                        int corner = y * sh * w + xq * sw; // index in the plane of the window's first element
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIdx = -1;
                        for (int i = 0; i < kh; i++) {
                            int rowIdx = corner + i * w;
                            for (int j = 0; j < kw; j++) {
                                float v = x[xo + rowIdx + j];
                                if (v > best || v != v || bestIdx < 0) {
                                    best = v;
                                    bestIdx = rowIdx + j;
                                    if (v != v) break;
                                }
                            }
                        }
                        out[oo + y * ow + xq] = best;
                        argmax[oo + y * ow + xq] = bestIdx;
                    }
                }
            }
        });
    }

    /** The general definition of {@link #maxForward}, padding included. */
    public static void maxForwardReference(Geometry g, float[] x, float[] out, int[] argmax) {
        int oh = g.oh(), ow = g.ow(), hw = g.h() * g.w();
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xo = p * hw, oo = p * oh * ow;
                for (int y = 0; y < oh; y++) {
                    for (int xq = 0; xq < ow; xq++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIdx = -1;
                        for (int i = 0; i < g.kh(); i++) {
                            int iy = y * g.strideH() - g.padH() + i;
                            if (iy < 0 || iy >= g.h()) continue;
                            for (int j = 0; j < g.kw(); j++) {
                                int ix = xq * g.strideW() - g.padW() + j;
                                if (ix < 0 || ix >= g.w()) continue;
                                float v = x[xo + iy * g.w() + ix];
                                if (v > best || Float.isNaN(v) || bestIdx < 0) {
                                    best = v;
                                    bestIdx = iy * g.w() + ix;
                                    if (Float.isNaN(v)) break;
                                }
                            }
                        }
                        out[oo + y * ow + xq] = best;
                        argmax[oo + y * ow + xq] = bestIdx;
                    }
                }
            }
        });
    }

    /** dx (overwritten) receives each output gradient at the position of its window's maximum. */
    public static void maxBackward(Geometry g, float[] dout, int[] argmax, float[] dx) {
        int ohw = g.oh() * g.ow(), hw = g.h() * g.w();
        java.util.Arrays.fill(dx, 0f);
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, ohw)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int i = 0; i < ohw; i++) dx[p * hw + argmax[p * ohw + i]] += dout[p * ohw + i];
            }
        });
    }

    /** out = mean over each window, padding counted as zeros. */
    public static void avgForward(Geometry g, float[] x, float[] out) {
        if (g.padH() != 0 || g.padW() != 0) {
            avgForwardReference(g, x, out);
            return;
        }
        int oh = g.oh(), ow = g.ow(), w = g.w(), hw = g.h() * w, kh = g.kh(), kw = g.kw(), sh = g.strideH(), sw = g.strideW();
        float inv = 1f / (kh * kw);
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int y = 0; y < oh; y++) {
                    for (int xq = 0; xq < ow; xq++) {
                        int corner = p * hw + y * sh * w + xq * sw;
                        float s = 0f;
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) s += x[corner + i * w + j];
                        }
                        out[p * oh * ow + y * ow + xq] = s * inv;
                    }
                }
            }
        });
    }

    /** The general definition of {@link #avgForward}, padding included. */
    public static void avgForwardReference(Geometry g, float[] x, float[] out) {
        int oh = g.oh(), ow = g.ow(), hw = g.h() * g.w();
        float inv = 1f / (g.kh() * g.kw());
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int y = 0; y < oh; y++) {
                    for (int xq = 0; xq < ow; xq++) {
                        float s = 0f;
                        for (int i = 0; i < g.kh(); i++) {
                            int iy = y * g.strideH() - g.padH() + i;
                            if (iy < 0 || iy >= g.h()) continue;
                            for (int j = 0; j < g.kw(); j++) {
                                int ix = xq * g.strideW() - g.padW() + j;
                                if (ix >= 0 && ix < g.w()) s += x[p * hw + iy * g.w() + ix];
                            }
                        }
                        out[p * oh * ow + y * ow + xq] = s * inv;
                    }
                }
            }
        });
    }

    /** dx (overwritten) = adjoint of {@link #avgForward}. */
    public static void avgBackward(Geometry g, float[] dout, float[] dx) {
        int oh = g.oh(), ow = g.ow(), hw = g.h() * g.w();
        float inv = 1f / (g.kh() * g.kw());
        java.util.Arrays.fill(dx, 0f);
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int y = 0; y < oh; y++) {
                    for (int xq = 0; xq < ow; xq++) {
                        float d = dout[p * oh * ow + y * ow + xq] * inv;
                        for (int i = 0; i < g.kh(); i++) {
                            int iy = y * g.strideH() - g.padH() + i;
                            if (iy < 0 || iy >= g.h()) continue;
                            for (int j = 0; j < g.kw(); j++) {
                                int ix = xq * g.strideW() - g.padW() + j;
                                if (ix >= 0 && ix < g.w()) dx[p * hw + iy * g.w() + ix] += d;
                            }
                        }
                    }
                }
            }
        });
    }
}
