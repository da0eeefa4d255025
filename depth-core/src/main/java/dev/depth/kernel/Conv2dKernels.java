package dev.depth.kernel;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

/**
 * 2-D convolution on NCHW float arrays through im2col and {@link Gemm}.
 *
 * <p>Input x: (n, c, h, w); weight: (oc, c / groups, kh, kw); output: (n, oc, oh, ow) with
 * {@code oh = (h + 2*padH - dilH*(kh-1) - 1) / strideH + 1} (likewise ow).
 *
 * <p>Method: the batch is cut into fixed groups of a few images (enough for about {@link
 * #BLOCK_COLUMNS} output pixels), each unfolded side by side into one im2col matrix so that one
 * GEMM serves the whole group and packs the weight once. A 1x1 convolution with stride 1 and no
 * padding skips im2col.
 *
 * <p>Threading: the groups of images are split over {@link Parallel}; every GEMM runs on its
 * thread. The groups do not depend on the thread count, so the forward pass and the input
 * gradient do not either. The weight gradient sums one partial gradient per thread and adds the
 * partials in a fixed order: bit-identical for the same thread count (called from inside a
 * parallel region, it uses one partial, as on one thread).
 *
 * <p>Memory: each thread keeps an im2col scratch of at most {@link #MAX_COL_FLOATS} floats (plus
 * one group of images of the output gradient) for reuse; the weight gradient allocates one
 * weight-sized partial per extra thread per call.
 */
public final class Conv2dKernels {
    private Conv2dKernels() {}

    private static final FloatKernels K = Simd.kernels();
    /** Output pixels (images x oh x ow) that one GEMM aims for. */
    static final int BLOCK_COLUMNS = 768;
    /** The most floats one thread's im2col scratch may hold (4 MiB). */
    static final int MAX_COL_FLOATS = 1 << 20;

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

    /** Stride 1 and as wide out as in: a row of col is then the channel shifted by a constant. */
    private static boolean sameWidth(Geometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.ow() == g.w();
    }

    /** Images unfolded side by side for one GEMM; depends on the geometry only. */
    static int imagesPerGemm(Geometry g) {
        int ohw = Math.max(1, g.oh() * g.ow());
        int nb = (BLOCK_COLUMNS + ohw - 1) / ohw;
        nb = Math.min(nb, Math.max(1, MAX_COL_FLOATS / Math.max(1, g.colRows() * ohw)));
        return Math.max(1, Math.min(nb, g.n()));
    }

    /** Per-thread scratch arrays, grown on demand; every user overwrites what it reads. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < size) s[slot] = new float[size];
        return s[slot];
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
        im2col(g, x, xOff, c0, cg, col, 0, g.oh() * g.ow());
    }

    /** {@link #im2col} into a wider matrix: row r, output pixel s at {@code col[colOff + r*ldCol + s]}. */
    static void im2col(Geometry g, float[] x, int xOff, int c0, int cg, float[] col, int colOff, int ldCol) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w(), hw = h * w, kh = g.kh(), kw = g.kw();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW(), dh = g.dilH(), dw = g.dilW();
        if (sameWidth(g)) {
            // Each row of col is the channel shifted by a constant: one copy, then zero the padding.
            int ohw = oh * ow, row = 0;
            for (int ci = 0; ci < cg; ci++) {
                int chanOff = xOff + (c0 + ci) * hw;
                for (int ki = 0; ki < kh; ki++) {
                    int yLo = Math.max(0, ph - ki * dh), yHi = Math.max(yLo, Math.min(oh, h + ph - ki * dh));
                    for (int kj = 0; kj < kw; kj++, row++) {
                        int rowOff = colOff + row * ldCol, off = kj * dw;
                        int lo = firstValid(pw, off, 1), hi = endValid(w, pw, off, 1, lo, ow);
                        if (yHi == yLo || hi == lo) {
                            java.util.Arrays.fill(col, rowOff, rowOff + ohw, 0f);
                            continue;
                        }
                        int start = yLo * ow + lo, end = (yHi - 1) * ow + hi, shift = (ki * dh - ph) * w + off - pw;
                        java.util.Arrays.fill(col, rowOff, rowOff + start, 0f);
                        System.arraycopy(x, chanOff + start + shift, col, rowOff + start, end - start);
                        java.util.Arrays.fill(col, rowOff + end, rowOff + ohw, 0f);
                        for (int y = yLo; y < yHi; y++) { // the copy wrapped around the row ends here
                            int o = rowOff + y * ow;
                            for (int xo = 0; xo < lo; xo++) col[o + xo] = 0f;
                            for (int xo = hi; xo < ow; xo++) col[o + xo] = 0f;
                        }
                    }
                }
            }
            return;
        }
        int row = 0;
        for (int ci = 0; ci < cg; ci++) {
            int chanOff = xOff + (c0 + ci) * hw;
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++, row++) {
                    int rowOff = colOff + row * ldCol, off = kj * dw;
                    int lo = firstValid(pw, off, sw), hi = endValid(w, pw, off, sw, lo, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * sh - ph + ki * dh, o = rowOff + y * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, o, o + ow, 0f);
                            continue;
                        }
                        int src = chanOff + iy * w - pw + off; // input index of xo = 0
                        for (int xo = 0; xo < lo; xo++) col[o + xo] = 0f;
                        if (sw == 1) {
                            System.arraycopy(x, src + lo, col, o + lo, hi - lo);
                        } else {
                            for (int xo = lo; xo < hi; xo++) col[o + xo] = x[src + xo * sw];
                        }
                        for (int xo = hi; xo < ow; xo++) col[o + xo] = 0f;
                    }
                }
            }
        }
    }

    /** Adds col (cg*kh*kw, oh*ow) back into channels {@code [c0, c0+cg)} of dx: the adjoint of im2col. */
    public static void col2imAdd(Geometry g, float[] col, float[] dx, int dxOff, int c0, int cg) {
        col2imAdd(g, col, 0, g.oh() * g.ow(), false, dx, dxOff, c0, cg);
    }

    /**
     * {@link #col2imAdd} from a wider matrix: row r, output pixel s at {@code col[colOff + r*ldCol + s]}.
     * With {@code clobber}, the entries of col that fall in the padding may be zeroed (col is scratch).
     */
    static void col2imAdd(Geometry g, float[] col, int colOff, int ldCol, boolean clobber, float[] dx, int dxOff, int c0, int cg) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w(), hw = h * w, kh = g.kh(), kw = g.kw();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW(), dh = g.dilH(), dw = g.dilW();
        if (clobber && sameWidth(g)) {
            // Zero what falls in the padding, then each row of col is one shifted, vectorised add.
            for (int ci = 0; ci < cg; ci++) {
                int chanOff = dxOff + (c0 + ci) * hw;
                for (int ki = 0; ki < kh; ki++) {
                    int yLo = Math.max(0, ph - ki * dh), yHi = Math.max(yLo, Math.min(oh, h + ph - ki * dh));
                    for (int kj = 0; kj < kw; kj++) {
                        int rowOff = colOff + ((ci * kh + ki) * kw + kj) * ldCol, off = kj * dw;
                        int lo = firstValid(pw, off, 1), hi = endValid(w, pw, off, 1, lo, ow);
                        if (yHi == yLo || hi == lo) continue;
                        for (int y = yLo; y < yHi; y++) {
                            int o = rowOff + y * ow;
                            for (int xo = 0; xo < lo; xo++) col[o + xo] = 0f;
                            for (int xo = hi; xo < ow; xo++) col[o + xo] = 0f;
                        }
                        int start = yLo * ow + lo, end = (yHi - 1) * ow + hi, shift = (ki * dh - ph) * w + off - pw;
                        K.arith(FloatKernels.Arith.ADD, dx, chanOff + start + shift, col, rowOff + start,
                                dx, chanOff + start + shift, end - start);
                    }
                }
            }
            return;
        }
        for (int ci = 0; ci < cg; ci++) {
            int chanOff = dxOff + (c0 + ci) * hw;
            // kj outside ki: consecutive rows then add into different rows of dx, not into the
            // same row shifted by one element (a store-forwarding stall on every short loop).
            for (int kj = 0; kj < kw; kj++) {
                for (int ki = 0; ki < kh; ki++) {
                    int rowOff = colOff + ((ci * kh + ki) * kw + kj) * ldCol, off = kj * dw;
                    int lo = firstValid(pw, off, sw), hi = endValid(w, pw, off, sw, lo, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * sh - ph + ki * dh;
                        if (iy < 0 || iy >= h) continue;
                        int dst = chanOff + iy * w - pw + off, o = rowOff + y * ow;
                        if (sw == 1) {
                            for (int xo = lo; xo < hi; xo++) dx[dst + xo] += col[o + xo];
                        } else {
                            for (int xo = lo; xo < hi; xo++) dx[dst + xo * sw] += col[o + xo];
                        }
                    }
                }
            }
        }
    }

    /** out (n, oc, oh, ow) = conv(x, weight) + bias; bias may be null. */
    public static void forward(Geometry g, float[] x, float[] weight, float[] bias, float[] out) {
        int n = g.n(), oc = g.oc(), ohw = g.oh() * g.ow(), hw = g.h() * g.w(), chw = g.c() * hw;
        int ocg = g.ocPerGroup(), cpg = g.cPerGroup(), rows = g.colRows();
        boolean pointwise = pointwise(g);
        int nb = pointwise ? 1 : imagesPerGemm(g), count = (n + nb - 1) / nb;
        Parallel.forRange(count, 1, (j0, j1) -> {
            float[] col = pointwise ? null : scratch(0, rows * nb * ohw);
            float[] tmp = nb > 1 ? scratch(1, ocg * nb * ohw) : null;
            for (int j = j0; j < j1; j++) {
                int b0 = j * nb, b1 = Math.min(n, b0 + nb), cols = (b1 - b0) * ohw;
                boolean direct = pointwise || b1 - b0 == 1; // the GEMM writes into out
                for (int gr = 0; gr < g.groups(); gr++) {
                    int wOff = gr * ocg * rows;
                    if (pointwise) {
                        for (int b = b0; b < b1; b++) {
                            Gemm.sgemm(false, false, ocg, ohw, rows, 1f, weight, wOff, rows,
                                    x, b * chw + gr * cpg * hw, hw, 0f, out, (b * oc + gr * ocg) * ohw, ohw);
                        }
                        continue;
                    }
                    for (int b = b0; b < b1; b++) im2col(g, x, b * chw, gr * cpg, cpg, col, (b - b0) * ohw, cols);
                    if (direct) {
                        Gemm.sgemm(false, false, ocg, ohw, rows, 1f, weight, wOff, rows, col, 0, ohw, 0f, out, (b0 * oc + gr * ocg) * ohw, ohw);
                        continue;
                    }
                    Gemm.sgemm(false, false, ocg, cols, rows, 1f, weight, wOff, rows, col, 0, cols, 0f, tmp, 0, cols);
                    for (int b = b0; b < b1; b++) {
                        for (int o = 0; o < ocg; o++) {
                            int src = o * cols + (b - b0) * ohw, dst = (b * oc + gr * ocg + o) * ohw;
                            if (bias == null) System.arraycopy(tmp, src, out, dst, ohw);
                            else K.arith(FloatKernels.Arith.ADD, tmp, src, bias[gr * ocg + o], out, dst, ohw);
                        }
                    }
                }
                if (bias != null && direct) {
                    for (int b = b0; b < b1; b++) {
                        for (int o = 0; o < oc; o++) {
                            int off = (b * oc + o) * ohw;
                            K.arith(FloatKernels.Arith.ADD, out, off, bias[o], out, off, ohw);
                        }
                    }
                }
            }
        });
    }

    /** Copies dout's channels [o0, o0+ocg) of images [b0, b1) side by side into blk (ocg, (b1-b0)*ohw). */
    private static void gatherImages(Geometry g, float[] dout, int b0, int b1, int o0, float[] blk) {
        int ohw = g.oh() * g.ow(), cols = (b1 - b0) * ohw;
        for (int b = b0; b < b1; b++) {
            for (int o = 0; o < g.ocPerGroup(); o++) {
                System.arraycopy(dout, (b * g.oc() + o0 + o) * ohw, blk, o * cols + (b - b0) * ohw, ohw);
            }
        }
    }

    /** dx (n, c, h, w) = gradient of the convolution with respect to its input (overwritten). */
    public static void backwardInput(Geometry g, float[] dout, float[] weight, float[] dx) {
        int n = g.n(), oc = g.oc(), ohw = g.oh() * g.ow(), hw = g.h() * g.w(), chw = g.c() * hw;
        int ocg = g.ocPerGroup(), cpg = g.cPerGroup(), rows = g.colRows();
        boolean pointwise = pointwise(g);
        int nb = pointwise ? 1 : imagesPerGemm(g), count = (n + nb - 1) / nb;
        Parallel.forRange(count, 1, (j0, j1) -> {
            float[] col = pointwise ? null : scratch(0, rows * nb * ohw);
            float[] blk = nb > 1 ? scratch(1, ocg * nb * ohw) : null;
            for (int j = j0; j < j1; j++) {
                int b0 = j * nb, b1 = Math.min(n, b0 + nb), cols = (b1 - b0) * ohw;
                if (!pointwise) java.util.Arrays.fill(dx, b0 * chw, b1 * chw, 0f);
                for (int gr = 0; gr < g.groups(); gr++) {
                    int wOff = gr * ocg * rows;
                    if (pointwise) {
                        for (int b = b0; b < b1; b++) {
                            Gemm.sgemm(true, false, rows, ohw, ocg, 1f, weight, wOff, rows,
                                    dout, (b * oc + gr * ocg) * ohw, ohw, 0f, dx, b * chw + gr * cpg * hw, hw);
                        }
                        continue;
                    }
                    if (b1 - b0 == 1) {
                        Gemm.sgemm(true, false, rows, ohw, ocg, 1f, weight, wOff, rows, dout, (b0 * oc + gr * ocg) * ohw, ohw, 0f, col, 0, ohw);
                    } else {
                        gatherImages(g, dout, b0, b1, gr * ocg, blk);
                        Gemm.sgemm(true, false, rows, cols, ocg, 1f, weight, wOff, rows, blk, 0, cols, 0f, col, 0, cols);
                    }
                    for (int b = b0; b < b1; b++) col2imAdd(g, col, (b - b0) * ohw, cols, true, dx, b * chw, gr * cpg, cpg);
                }
            }
        });
    }

    // Tried for W3's first layer (1 -> 32 channels, 3x3, 28x28, batch 64) and dropped, measured
    // with a timing loop on one and two threads (2026-11-26, 2-core Zen 4): an unpacked
    // register-tiled product instead of the GEMM for the 9-row im2col (forward 2-3x slower); the
    // weight gradient against col transposed, to reach the packed GEMM (2x slower: the strided
    // transposition); a one-pass multi-row dot kernel (no faster: the gradient streams the 6.4 MB
    // dout once either way and is bound by memory, not arithmetic). What would help is fewer
    // passes over the activations, e.g. bias, ReLU and pooling fused into this forward pass.

    /** dw (oc, c/groups, kh, kw) = gradient with respect to the weight (overwritten). */
    public static void backwardWeight(Geometry g, float[] x, float[] dout, float[] dw) {
        int n = g.n(), oc = g.oc(), ohw = g.oh() * g.ow(), hw = g.h() * g.w(), chw = g.c() * hw;
        int ocg = g.ocPerGroup(), cpg = g.cPerGroup(), rows = g.colRows(), size = oc * rows;
        boolean pointwise = pointwise(g);
        int nb = pointwise ? 1 : imagesPerGemm(g), count = (n + nb - 1) / nb;
        int chunks = Math.max(1, Math.min(count, Parallel.nested() ? 1 : Parallel.threads()));
        if (n == 0) java.util.Arrays.fill(dw, 0, size, 0f);
        float[][] partial = new float[chunks][];
        Parallel.forRange(chunks, 1, (c0, c1) -> {
            float[] col = pointwise ? null : scratch(0, rows * nb * ohw);
            float[] blk = nb > 1 ? scratch(1, ocg * nb * ohw) : null;
            for (int c = c0; c < c1; c++) {
                float[] sum = c == 0 ? dw : new float[size];
                partial[c] = sum;
                int j0 = (int) ((long) count * c / chunks), j1 = (int) ((long) count * (c + 1) / chunks);
                for (int j = j0; j < j1; j++) {
                    int b0 = j * nb, b1 = Math.min(n, b0 + nb), cols = (b1 - b0) * ohw;
                    for (int gr = 0; gr < g.groups(); gr++) {
                        int wOff = gr * ocg * rows;
                        if (pointwise) {
                            for (int b = b0; b < b1; b++) {
                                float beta = j == j0 && b == b0 ? 0f : 1f;
                                Gemm.sgemm(false, true, ocg, rows, ohw, 1f, dout, (b * oc + gr * ocg) * ohw, ohw,
                                        x, b * chw + gr * cpg * hw, hw, beta, sum, wOff, rows);
                            }
                            continue;
                        }
                        float beta = j == j0 ? 0f : 1f;
                        for (int b = b0; b < b1; b++) im2col(g, x, b * chw, gr * cpg, cpg, col, (b - b0) * ohw, cols);
                        if (b1 - b0 == 1) {
                            Gemm.sgemm(false, true, ocg, rows, ohw, 1f, dout, (b0 * oc + gr * ocg) * ohw, ohw, col, 0, ohw, beta, sum, wOff, rows);
                        } else {
                            gatherImages(g, dout, b0, b1, gr * ocg, blk);
                            Gemm.sgemm(false, true, ocg, rows, cols, 1f, blk, 0, cols, col, 0, cols, beta, sum, wOff, rows);
                        }
                    }
                }
            }
        });
        // Fixed order: dw = ((p0 + p1) + p2) + ...; split over the weight, not over the partials.
        if (chunks > 1) {
            Parallel.forRange(size, 1 << 14, (i0, i1) -> {
                for (int k = 1; k < chunks; k++) K.arith(FloatKernels.Arith.ADD, dw, i0, partial[k], i0, dw, i0, i1 - i0);
            });
        }
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
