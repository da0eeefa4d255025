package dev.depth.kernel;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

/**
 * 2-D convolution on NCHW float arrays through im2col and {@link Gemm}.
 *
 * <p>Input x: (n, c, h, w); weight: (oc, c / groups, kh, kw); output: (n, oc, oh, ow) with
 * {@code oh = (h + 2*padH - dilH*(kh-1) - 1) / strideH + 1} (likewise ow).
 *
 * <p>Threading: every pass splits the batch into {@link Parallel#threads()} contiguous blocks of
 * images; each thread unfolds its own images (im2col) and multiplies them on one thread. The
 * forward pass and the input gradient are computed image by image, so they do not depend on the
 * thread count; the weight gradient sums one partial gradient per block of images, then adds the
 * partials in block order: bit-identical for the same thread count. A 1x1 convolution with stride
 * 1 and no padding skips im2col.
 */
public final class Conv2dKernels {
    private Conv2dKernels() {}

    private static final FloatKernels K = Simd.kernels();

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

    /** True when the im2col matrix of a group is the input itself: 1x1, stride 1, no padding. */
    private static boolean pointwise(Geometry g) {
        return g.kh() == 1 && g.kw() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0;
    }

    /** First output column whose input column {@code xo*stride - pad + off} is >= 0. */
    private static int firstValid(int pad, int off, int stride) {
        int need = pad - off; // xo * stride >= need
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output column whose input column is < size, clamped to [lo, outSize]. */
    private static int endValid(int size, int pad, int off, int stride, int lo, int outSize) {
        int need = size + pad - off; // xo * stride < need
        int hi = need <= 0 ? 0 : (need + stride - 1) / stride;
        return Math.max(lo, Math.min(outSize, hi));
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
                    int off = kj * g.dilW();
                    int lo = firstValid(g.padW(), off, g.strideW()), hi = endValid(g.w(), g.padW(), off, g.strideW(), lo, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki * g.dilH();
                        int o = colOff + y * ow;
                        if (iy < 0 || iy >= g.h()) {
                            java.util.Arrays.fill(col, o, o + ow, 0f);
                            continue;
                        }
                        int src = chanOff + iy * g.w() - g.padW() + off; // input index of xo = 0
                        for (int xo = 0; xo < lo; xo++) col[o + xo] = 0f;
                        if (g.strideW() == 1) {
                            System.arraycopy(x, src + lo, col, o + lo, hi - lo);
                        } else {
                            for (int xo = lo; xo < hi; xo++) col[o + xo] = x[src + xo * g.strideW()];
                        }
                        for (int xo = hi; xo < ow; xo++) col[o + xo] = 0f;
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
                    int off = kj * g.dilW();
                    int lo = firstValid(g.padW(), off, g.strideW()), hi = endValid(g.w(), g.padW(), off, g.strideW(), lo, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki * g.dilH();
                        if (iy < 0 || iy >= g.h()) continue;
                        int dst = chanOff + iy * g.w() - g.padW() + off;
                        int o = colOff + y * ow;
                        if (g.strideW() == 1) {
                            for (int xo = lo; xo < hi; xo++) dx[dst + xo] += col[o + xo];
                        } else {
                            for (int xo = lo; xo < hi; xo++) dx[dst + xo * g.strideW()] += col[o + xo];
                        }
                    }
                }
            }
        }
    }

    /** Splits the batch into one block of images per thread; {@code body} gets the block index too. */
    private interface ImageBlock {
        void run(int block, int b0, int b1);
    }

    private static int blocks(Geometry g) {
        return Math.max(1, Math.min(g.n(), Parallel.nested() ? 1 : Parallel.threads()));
    }

    private static void forImageBlocks(Geometry g, int blocks, ImageBlock body) {
        int n = g.n();
        Parallel.forRange(blocks, 1, (k0, k1) -> {
            for (int k = k0; k < k1; k++) body.run(k, (int) ((long) n * k / blocks), (int) ((long) n * (k + 1) / blocks));
        });
    }

    /** out (n, oc, oh, ow) = conv(x, weight) + bias; bias may be null. */
    public static void forward(Geometry g, float[] x, float[] weight, float[] bias, float[] out) {
        int ohw = g.oh() * g.ow(), hw = g.h() * g.w(), chw = g.c() * hw, ocg = g.ocPerGroup(), rows = g.colRows();
        boolean pointwise = pointwise(g);
        forImageBlocks(g, blocks(g), (block, b0, b1) -> {
            float[] col = pointwise ? null : new float[rows * ohw];
            for (int b = b0; b < b1; b++) {
                for (int gr = 0; gr < g.groups(); gr++) {
                    int outOff = (b * g.oc() + gr * ocg) * ohw;
                    if (pointwise) {
                        Gemm.sgemm(false, false, ocg, ohw, rows, 1f, weight, gr * ocg * rows, rows,
                                x, b * chw + gr * g.cPerGroup() * hw, hw, 0f, out, outOff, ohw);
                    } else {
                        im2col(g, x, b * chw, gr * g.cPerGroup(), g.cPerGroup(), col);
                        Gemm.sgemm(false, false, ocg, ohw, rows, 1f, weight, gr * ocg * rows, rows,
                                col, 0, ohw, 0f, out, outOff, ohw);
                    }
                }
                if (bias != null) {
                    for (int o = 0; o < g.oc(); o++) {
                        int off = (b * g.oc() + o) * ohw;
                        K.arith(FloatKernels.Arith.ADD, out, off, bias[o], out, off, ohw);
                    }
                }
            }
        });
    }

    /** dx (n, c, h, w) = gradient of the convolution with respect to its input (overwritten). */
    public static void backwardInput(Geometry g, float[] dout, float[] weight, float[] dx) {
        int ohw = g.oh() * g.ow(), hw = g.h() * g.w(), chw = g.c() * hw, ocg = g.ocPerGroup(), rows = g.colRows();
        boolean pointwise = pointwise(g);
        forImageBlocks(g, blocks(g), (block, b0, b1) -> {
            float[] col = pointwise ? null : new float[rows * ohw];
            for (int b = b0; b < b1; b++) {
                if (!pointwise) java.util.Arrays.fill(dx, b * chw, (b + 1) * chw, 0f);
                for (int gr = 0; gr < g.groups(); gr++) {
                    int doutOff = (b * g.oc() + gr * ocg) * ohw;
                    if (pointwise) {
                        Gemm.sgemm(true, false, rows, ohw, ocg, 1f, weight, gr * ocg * rows, rows,
                                dout, doutOff, ohw, 0f, dx, b * chw + gr * g.cPerGroup() * hw, hw);
                    } else {
                        Gemm.sgemm(true, false, rows, ohw, ocg, 1f, weight, gr * ocg * rows, rows,
                                dout, doutOff, ohw, 0f, col, 0, ohw);
                        col2imAdd(g, col, dx, b * chw, gr * g.cPerGroup(), g.cPerGroup());
                    }
                }
            }
        });
    }

    /** dw (oc, c/groups, kh, kw) = gradient with respect to the weight (overwritten). */
    public static void backwardWeight(Geometry g, float[] x, float[] dout, float[] dw) {
        int ohw = g.oh() * g.ow(), hw = g.h() * g.w(), chw = g.c() * hw, ocg = g.ocPerGroup(), rows = g.colRows();
        int size = g.oc() * rows;
        boolean pointwise = pointwise(g);
        int blocks = blocks(g);
        float[][] partial = new float[blocks][];
        forImageBlocks(g, blocks, (block, b0, b1) -> {
            float[] sum = block == 0 ? dw : new float[size];
            partial[block] = sum;
            float[] col = pointwise ? null : new float[rows * ohw];
            if (b0 == b1) java.util.Arrays.fill(sum, 0, size, 0f);
            for (int b = b0; b < b1; b++) {
                float beta = b == b0 ? 0f : 1f;
                for (int gr = 0; gr < g.groups(); gr++) {
                    int doutOff = (b * g.oc() + gr * ocg) * ohw;
                    if (pointwise) {
                        Gemm.sgemm(false, true, ocg, rows, ohw, 1f, dout, doutOff, ohw,
                                x, b * chw + gr * g.cPerGroup() * hw, hw, beta, sum, gr * ocg * rows, rows);
                    } else {
                        im2col(g, x, b * chw, gr * g.cPerGroup(), g.cPerGroup(), col);
                        Gemm.sgemm(false, true, ocg, rows, ohw, 1f, dout, doutOff, ohw,
                                col, 0, ohw, beta, sum, gr * ocg * rows, rows);
                    }
                }
            }
        });
        if (blocks == 1) return;
        // Fixed order: dw = ((p0 + p1) + p2) + ...; split over the weight, not over the blocks.
        Parallel.forRange(size, 1 << 14, (i0, i1) -> {
            for (int k = 1; k < blocks; k++) K.arith(FloatKernels.Arith.ADD, dw, i0, partial[k], i0, dw, i0, i1 - i0);
        });
    }

    /** db (oc) = sum of dout over batch and space (overwritten). */
    public static void backwardBias(Geometry g, float[] dout, float[] db) {
        int ohw = g.oh() * g.ow(), oc = g.oc(), n = g.n();
        // Each db[o] is summed image by image in batch order on one thread: independent of the thread count.
        Parallel.forRange(oc, Math.max(1, (1 << 15) / Math.max(1, n * ohw)), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                float s = 0f;
                for (int b = 0; b < n; b++) s += K.sum(dout, (b * oc + o) * ohw, ohw);
                db[o] = s;
            }
        });
    }
}
