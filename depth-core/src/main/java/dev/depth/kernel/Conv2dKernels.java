package dev.depth.kernel;

/**
 * 2-D convolution on NCHW float arrays through im2col and {@link Gemm}.
 *
 * <p>Input x: (n, c, h, w); weight: (oc, c / groups, kh, kw); output: (n, oc, oh, ow) with
 * {@code oh = (h + 2*padH - dilH*(kh-1) - 1) / strideH + 1} (likewise ow).
 */
public final class Conv2dKernels {
    private Conv2dKernels() {}

    /** Geometry of one convolution; validated by the caller (the conv2d op). */
    public record Geometry(int n, int c, int h, int w, int oc, int kh, int kw,
                           int strideH, int strideW, int padH, int padW, int dilH, int dilW, int groups) {
        public int oh() { return (h + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1; }
        public int ow() { return (w + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1; }
        public int cPerGroup() { return c / groups; }
        public int ocPerGroup() { return oc / groups; }
        /** Rows of the im2col matrix of one group: cPerGroup * kh * kw. */
        public int colRows() { return cPerGroup() * kh * kw; }
    }

    /**
     * Unfolds channels {@code [c0, c0 + cg)} of image {@code img} (offset {@code xOff} in x) into
     * col, shape (cg*kh*kw, oh*ow), zero where the window falls in the padding.
     */
    public static void im2col(Geometry g, float[] x, int xOff, int c0, int cg, float[] col) {
        int oh = g.oh(), ow = g.ow(), hw = g.h() * g.w();
        int row = 0;
        for (int ci = 0; ci < cg; ci++) {
            int chanOff = xOff + (c0 + ci) * hw;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int colOff = row * oh * ow;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki * g.dilH();
                        int o = colOff + y * ow;
                        if (iy < 0 || iy >= g.h()) {
                            java.util.Arrays.fill(col, o, o + ow, 0f);
                            continue;
                        }
                        int rowOff = chanOff + iy * g.w();
                        for (int xo = 0; xo < ow; xo++) {
                            int ix = xo * g.strideW() - g.padW() + kj * g.dilW();
                            col[o + xo] = (ix < 0 || ix >= g.w()) ? 0f : x[rowOff + ix];
                        }
                    }
                }
            }
        }
    }

    /** Adds col (cg*kh*kw, oh*ow) back into channels {@code [c0, c0+cg)} of dx: the adjoint of im2col. */
    public static void col2imAdd(Geometry g, float[] col, float[] dx, int dxOff, int c0, int cg) {
        int oh = g.oh(), ow = g.ow(), hw = g.h() * g.w();
        int row = 0;
        for (int ci = 0; ci < cg; ci++) {
            int chanOff = dxOff + (c0 + ci) * hw;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int colOff = row * oh * ow;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki * g.dilH();
                        if (iy < 0 || iy >= g.h()) continue;
                        int rowOff = chanOff + iy * g.w();
                        int o = colOff + y * ow;
                        for (int xo = 0; xo < ow; xo++) {
                            int ix = xo * g.strideW() - g.padW() + kj * g.dilW();
                            if (ix >= 0 && ix < g.w()) dx[rowOff + ix] += col[o + xo];
                        }
                    }
                }
            }
        }
    }

    /** out (n, oc, oh, ow) = conv(x, weight) + bias; bias may be null. */
    public static void forward(Geometry g, float[] x, float[] weight, float[] bias, float[] out) {
        int ohw = g.oh() * g.ow(), chw = g.c() * g.h() * g.w(), ocg = g.ocPerGroup(), rows = g.colRows();
        Parallel.forRange(g.n(), 1, (n0, n1) -> {
            float[] col = new float[rows * ohw];
            for (int b = n0; b < n1; b++) {
                for (int gr = 0; gr < g.groups(); gr++) {
                    im2col(g, x, b * chw, gr * g.cPerGroup(), g.cPerGroup(), col);
                    int outOff = (b * g.oc() + gr * ocg) * ohw;
                    Gemm.reference(false, false, 0, ocg, ohw, rows, 1f, weight, gr * ocg * rows, rows,
                            col, 0, ohw, 0f, out, outOff, ohw);
                }
                if (bias != null) {
                    for (int o = 0; o < g.oc(); o++) {
                        int off = (b * g.oc() + o) * ohw;
                        float bv = bias[o];
                        for (int i = 0; i < ohw; i++) out[off + i] += bv;
                    }
                }
            }
        });
    }

    /** dx (n, c, h, w) = gradient of the convolution with respect to its input (overwritten). */
    public static void backwardInput(Geometry g, float[] dout, float[] weight, float[] dx) {
        int ohw = g.oh() * g.ow(), chw = g.c() * g.h() * g.w(), ocg = g.ocPerGroup(), rows = g.colRows();
        java.util.Arrays.fill(dx, 0f);
        Parallel.forRange(g.n(), 1, (n0, n1) -> {
            float[] col = new float[rows * ohw];
            for (int b = n0; b < n1; b++) {
                for (int gr = 0; gr < g.groups(); gr++) {
                    Gemm.reference(true, false, 0, rows, ohw, ocg, 1f, weight, gr * ocg * rows, rows,
                            dout, (b * g.oc() + gr * ocg) * ohw, ohw, 0f, col, 0, ohw);
                    col2imAdd(g, col, dx, b * chw, gr * g.cPerGroup(), g.cPerGroup());
                }
            }
        });
    }

    /** dw (oc, c/groups, kh, kw) = gradient with respect to the weight (overwritten). */
    public static void backwardWeight(Geometry g, float[] x, float[] dout, float[] dw) {
        int ohw = g.oh() * g.ow(), chw = g.c() * g.h() * g.w(), ocg = g.ocPerGroup(), rows = g.colRows();
        java.util.Arrays.fill(dw, 0f);
        float[] col = new float[rows * ohw];
        for (int b = 0; b < g.n(); b++) {
            for (int gr = 0; gr < g.groups(); gr++) {
                im2col(g, x, b * chw, gr * g.cPerGroup(), g.cPerGroup(), col);
                Gemm.sgemm(false, true, ocg, rows, ohw, 1f, dout, (b * g.oc() + gr * ocg) * ohw, ohw,
                        col, 0, ohw, 1f, dw, gr * ocg * rows, rows);
            }
        }
    }

    /** db (oc) = sum of dout over batch and space (overwritten). */
    public static void backwardBias(Geometry g, float[] dout, float[] db) {
        int ohw = g.oh() * g.ow();
        java.util.Arrays.fill(db, 0f);
        for (int b = 0; b < g.n(); b++) {
            for (int o = 0; o < g.oc(); o++) {
                int off = (b * g.oc() + o) * ohw;
                float s = 0f;
                for (int i = 0; i < ohw; i++) s += dout[off + i];
                db[o] += s;
            }
        }
    }
}
