package dev.depth.kernel;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

/**
 * Layer normalisation over the last {@code n} elements of dense rows (Ba, Kiros and Hinton,
 * 2016), one pass of {@link FloatKernels#layerNormRow} per row, rows split over threads.
 *
 * <p>The backward adds the weight and bias gradients of fixed blocks of rows into one partial
 * buffer per block and sums the blocks in order afterwards, so the result does not depend on the
 * number of threads.
 */
public final class LayerNormKernels {
    private LayerNormKernels() {}

    private static final FloatKernels K = Simd.kernels();
    /** Row elements per thread chunk below which a call stays on the calling thread. */
    private static final int GRAIN = 1 << 14;
    /** At most this many partial buffers for the weight and bias gradients. */
    private static final int MAX_BLOCKS = 16;

    /**
     * out[r*n + i] = (x[r*n + i] - mean_r) rstd_r w[i] + b[i] for r < rows; stats[2r] = mean_r,
     * stats[2r + 1] = rstd_r. w and b may be null.
     */
    public static void forward(float[] x, int xo, int rows, int n, float eps, float[] w, float[] b, float[] out, float[] stats) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(n, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) K.layerNormRow(x, xo + r * n, n, eps, w, b, out, r * n, stats, 2 * r);
        });
    }

    /**
     * The gradients of {@link #forward}: dx (rows * n, may be null when not needed), and gw, gb
     * (n each, overwritten; either may be null).
     */
    public static void backward(float[] x, int xo, float[] g, int rows, int n, float[] w, float[] stats,
                                float[] dx, float[] gw, float[] gb) {
        int blocks = Math.max(1, Math.min(MAX_BLOCKS, rows * n / GRAIN));
        float[] pw = gw == null ? null : new float[blocks * n], pb = gb == null ? null : new float[blocks * n];
        float[] scratch = dx == null ? new float[0] : null;
        Parallel.forRange(blocks, 1, (b0, b1) -> {
            float[] own = scratch == null ? null : new float[n]; // dx not wanted: a row's worth to write into
            float[] bw = gw == null ? null : new float[n], bb = gb == null ? null : new float[n];
            for (int blk = b0; blk < b1; blk++) {
                int r0 = (int) ((long) rows * blk / blocks), r1 = (int) ((long) rows * (blk + 1) / blocks);
                if (bw != null) java.util.Arrays.fill(bw, 0f);
                if (bb != null) java.util.Arrays.fill(bb, 0f);
                for (int r = r0; r < r1; r++) {
                    float[] target = own == null ? dx : own;
                    K.layerNormRowBackward(x, xo + r * n, g, r * n, n, stats[2 * r], stats[2 * r + 1], w,
                            target, own == null ? r * n : 0, bw, bb);
                }
                if (bw != null) System.arraycopy(bw, 0, pw, blk * n, n);
                if (bb != null) System.arraycopy(bb, 0, pb, blk * n, n);
            }
        });
        if (gw != null) sumBlocks(pw, blocks, n, gw);
        if (gb != null) sumBlocks(pb, blocks, n, gb);
    }

    private static void sumBlocks(float[] partial, int blocks, int n, float[] out) {
        System.arraycopy(partial, 0, out, 0, n);
        for (int blk = 1; blk < blocks; blk++) K.arith(FloatKernels.Arith.ADD, out, 0, partial, blk * n, out, 0, n);
    }
}
