package dev.depth.kernel;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

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

    private static final FloatKernels K = Simd.kernels();

    /** Pooling geometry; {@code planes = n * c}. */
    public record Geometry(int planes, int h, int w, int kh, int kw, int strideH, int strideW, int padH, int padW) {
        public int oh() { return (h + 2 * padH - kh) / strideH + 1; }
        public int ow() { return (w + 2 * padW - kw) / strideW + 1; }
    }

    /**
     * out = max over each window; argmax receives the flat index (within the plane) of each max.
     * NaN wins (the first NaN of the window in row-major order); among equal maxima the first wins.
     */
    public static void maxForward(Geometry g, float[] x, float[] out, int[] argmax) {
        if (g.padH() != 0 || g.padW() != 0) {
            maxForwardReference(g, x, out, argmax);
            return;
        }
        int oh = g.oh(), ow = g.ow(), w = g.w(), hw = g.h() * w, kh = g.kh(), kw = g.kw(), sh = g.strideH(), sw = g.strideW();
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && hw < (1 << 24)) {
            // The usual pooling layer: loads of whole rows, no gathers (5x faster than below on
            // the Zen 5 measured, whose gathers are slow).
            Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
                for (int p = p0; p < p1; p++) K.maxPool2x2Stride2(x, p * hw, w, oh, ow, out, p * oh * ow, argmax);
            });
            return;
        }
        if (kh == 2 && kw == 2 && hw < (1 << 24)) {
            // The common case, in SIMD over a whole plane at once (rows of 14 are shorter than a
            // vector): data-dependent branches, and C2's branchy float selects, mispredict about
            // half the time on real activations and cost 5 to 10x.
            int[] first = new int[oh * ow];
            for (int y = 0; y < oh; y++) {
                for (int xq = 0; xq < ow; xq++) first[y * ow + xq] = y * sh * w + xq * sw;
            }
            Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
                for (int p = p0; p < p1; p++) K.maxPool2x2(x, p * hw, w, first, 0, out, p * oh * ow, argmax, oh * ow);
            });
            return;
        }
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xo = p * hw, oo = p * oh * ow;
                for (int y = 0; y < oh; y++) {
                    for (int xq = 0; xq < ow; xq++) {
                        int corner = y * sh * w + xq * sw; // index in the plane of the window's first element
                        // Branch-free (conditional moves): a data-dependent branch per element
                        // mispredicts half the time on real activations, 5x slower.
                        float best = x[xo + corner];
                        int bestIdx = corner;
                        for (int i = 0; i < kh; i++) {
                            int rowIdx = corner + i * w;
                            for (int j = i == 0 ? 1 : 0; j < kw; j++) {
                                float v = x[xo + rowIdx + j];
                                boolean take = v > best | (v != v & best == best);
                                best = take ? v : best;
                                bestIdx = take ? rowIdx + j : bestIdx;
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
                                if (v > best || (Float.isNaN(v) && !Float.isNaN(best)) || bestIdx < 0) {
                                    best = v;
                                    bestIdx = iy * g.w() + ix;
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

    /**
     * dx (overwritten, whatever it held) receives each output gradient at the position of its window's
     * maximum: each plane zeroed, then scattered into, by the thread that takes the plane.
     */
    public static void maxBackward(Geometry g, float[] dout, int[] argmax, float[] dx) {
        int ohw = g.oh() * g.ow(), hw = g.h() * g.w();
        Parallel.forRange(g.planes(), Math.max(1, 4096 / Math.max(1, ohw)), (p0, p1) -> {
            java.util.Arrays.fill(dx, p0 * hw, p1 * hw, 0f);
            for (int p = p0; p < p1; p++) {
                for (int i = 0; i < ohw; i++) dx[p * hw + argmax[p * ohw + i]] += dout[p * ohw + i];
            }
        });
    }

    /**
     * Adds each output gradient into dx at the position of its window's maximum. Into a freshly
     * allocated (zero) array this is {@link #maxBackward} without its pass that zeroes dx, a
     * memory-bound pass over the whole input on one thread.
     */
    public static void maxBackwardAdd(Geometry g, float[] dout, int[] argmax, float[] dx) {
        int ohw = g.oh() * g.ow(), hw = g.h() * g.w();
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
