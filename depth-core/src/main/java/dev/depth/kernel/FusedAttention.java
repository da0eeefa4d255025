package dev.depth.kernel;

import dev.depth.kernel.simd.AttentionKernels;

import java.util.Arrays;

/**
 * Fused scaled-dot-product attention over flat arrays, forward and backward, in the manner of
 * FlashAttention (Dao et al., 2022): the (L, S) matrix of scores is never stored whole. The
 * forward computes the scores of a few query rows at a time (the kernels' register tile), takes
 * each row's softmax over that scratch (max, then exponentials and their sum) and saves only the
 * output and each row's log-sum-exp; the backward recomputes the probabilities of a block of
 * {@link #BLOCK_ROWS} query rows from the queries, the keys and the saved log-sum-exp, and keeps
 * them with dS for that block only. Scratch per thread: O(S (d + dv + BLOCK_ROWS)).
 *
 * <p>At the sizes this was tuned for (L = S = 128, d = 32, as in bench workload W5) a whole row
 * of scores fits in L1, so rows are not split into key tiles with a running maximum (the online
 * softmax of FlashAttention): one pass over the keys for the scores and one for the output is
 * simpler and needs no rescaling of partial outputs (a tiled variant was not tried). Causally
 * hidden keys beyond a row group's last query are never computed.
 *
 * <p>For each of {@code batch} independent problems (batch entries times heads): queries (L, d),
 * keys (S, d), values (S, dv); {@code o = softmax(scale * q k^T + masks) v}. A key is excluded
 * from a query's softmax when the mask says so (a non-zero entry) or, with {@code causal}, when
 * it lies after the query's position: query i sits at position {@code causalOffset + i} and sees
 * keys 0 .. causalOffset + i. A row with no key left gives NaN.
 *
 * <p>Work is split over the batch with {@link Parallel}; each problem is computed by one thread
 * in a fixed order, so results do not depend on the thread count.
 */
public final class FusedAttention {
    private FusedAttention() {}

    /** Query rows whose probabilities the backward keeps at once. */
    static final int BLOCK_ROWS = 64;
    /** Rows (queries, or keys in the backward's products) computed together, the kernels' register tile. */
    private static final int GROUP = 4;
    /** Key counts are rounded up to a multiple of this (the widest vector) where S allows. */
    private static final int ALIGN = 16;
    /** About this many multiply-adds per thread at least, else the work runs on the calling thread. */
    private static final long MIN_WORK_PER_THREAD = 1L << 16;

    /**
     * A strided operand of shape (batch, rows, cols): element (b, r, c) is at
     * {@code data[base[b] + r * rowStride + c * colStride]}. A stride may be 0 (broadcast).
     */
    public record Operand(float[] data, int[] base, int rowStride, int colStride) {
        float at(int b, int r, int c) {
            return data[base[b] + r * rowStride + c * colStride];
        }
    }

    /** The sizes and masking of one call. */
    public record Problem(int batch, int l, int s, int d, int dv, float scale, Operand mask, boolean causal, int causalOffset) {
        /** Keys [0, keysOf(i)) may be seen by query i (before the mask). */
        int keysOf(int i) {
            if (!causal) return s;
            long end = (long) causalOffset + i + 1;
            return (int) Math.max(0, Math.min(s, end));
        }

        /**
         * The number of keys to compute scores for when the last of a group of rows sees
         * {@code keys}: rounded up to a multiple of {@link #ALIGN} where S allows, so that the
         * kernels run whole vectors (the extra keys are hidden like the causally masked ones).
         */
        int width(int keys) {
            return keys == 0 ? 0 : Math.min(s, (keys + ALIGN - 1) / ALIGN * ALIGN);
        }

        int grain() {
            long work = Math.max(1L, (long) l * s * (d + dv));
            return (int) Math.max(1, Math.min(batch, MIN_WORK_PER_THREAD / work));
        }
    }

    /**
     * The forward pass. Gathers q, k and v into {@code qOut} (batch, L, d), {@code ktOut}
     * (batch, d, S) (keys transposed) and {@code vOut} (batch, S, dv), which the backward takes
     * back, and writes the output {@code out} (batch, L, dv) and {@code lse} (batch, L), each row's
     * log(sum(exp(scores))) over the keys it sees (NaN for a row that sees none).
     */
    public static void forward(AttentionKernels kernels, Problem pr, Operand q, Operand k, Operand v,
                               float[] qOut, float[] ktOut, float[] vOut, float[] out, float[] lse) {
        int l = pr.l(), s = pr.s(), d = pr.d(), dv = pr.dv();
        Parallel.forRange(pr.batch(), pr.grain(), (from, to) -> {
            float[] p = new float[GROUP * Math.max(1, s)];
            float[] sums = new float[GROUP];
            for (int b = from; b < to; b++) {
                int qb = b * l * d, kb = b * s * d, vb = b * s * dv, ob = b * l * dv;
                gather(q, b, l, d, qOut, qb, false);
                gather(k, b, s, d, ktOut, kb, true);
                gather(v, b, s, dv, vOut, vb, false);
                for (int i0 = 0; i0 < l; i0 += GROUP) {
                    int rows = Math.min(GROUP, l - i0), n = pr.width(pr.keysOf(i0 + rows - 1)); // keys seen by the group's last row
                    if (n > 0) {
                        kernels.gemm(rows, d, qOut, qb + i0 * d, d, 1, ktOut, kb, s, n, pr.scale(), false, p, 0, s);
                        probabilities(kernels, pr, b, i0, rows, n, p, lse, sums);
                        kernels.gemm(rows, n, p, 0, s, 1, vOut, vb, dv, dv, 1f, false, out, ob + i0 * dv, dv);
                    }
                    for (int r = 0; r < rows; r++) {
                        int o = ob + (i0 + r) * dv;
                        if (n == 0 || Float.isNaN(lse[b * l + i0 + r])) Arrays.fill(out, o, o + dv, Float.NaN);
                        else {
                            float inv = 1f / sums[r];
                            for (int c = 0; c < dv; c++) out[o + c] *= inv;
                        }
                    }
                }
            }
        });
    }

    /**
     * Turns the group's scores p (rows, n), row stride S, into unnormalised probabilities
     * exp(score - max) with the masked and causally hidden keys at 0, and stores each row's sum
     * in sums and its log-sum-exp in lse (NaN for a row with no key).
     */
    private static void probabilities(AttentionKernels kernels, Problem pr, int b, int i0, int rows, int n, float[] p, float[] lse, float[] sums) {
        int s = pr.s(), l = pr.l();
        for (int r = 0; r < rows; r++) {
            int po = r * s, ni = pr.keysOf(i0 + r);
            Arrays.fill(p, po + ni, po + n, Float.NEGATIVE_INFINITY);
            applyMask(pr.mask(), b, i0 + r, p, po, ni);
            float max = kernels.max(p, po, ni);
            if (max == Float.NEGATIVE_INFINITY) { // no key to attend to
                Arrays.fill(p, po, po + n, 0f);
                lse[b * l + i0 + r] = Float.NaN;
                sums[r] = Float.NaN;
                continue;
            }
            float sum = kernels.expShiftSum(p, po, n, max);
            sums[r] = sum;
            lse[b * l + i0 + r] = max + (float) Math.log(sum);
        }
    }

    /**
     * The backward pass: from the arrays the forward filled ({@code q}, {@code kt}, {@code v},
     * {@code out}, {@code lse}) and the output's gradient {@code gradOut} (batch, L, dv), writes
     * {@code dq} (batch, L, d), {@code dk} (batch, S, d) and {@code dv} (batch, S, dv), which must
     * hold zeros. With P the probabilities and dP = gradOut v^T, per row D_i = sum(gradOut_i * o_i),
     * dS = P * (dP - D), dq = scale dS k, dk = scale dS^T q, dv = P^T gradOut.
     */
    public static void backward(AttentionKernels kernels, Problem pr, float[] q, float[] kt, float[] v, float[] out,
                                float[] lse, Operand gradOut, float[] dq, float[] dk, float[] dv) {
        int l = pr.l(), s = pr.s(), d = pr.d(), dvs = pr.dv();
        float scale = pr.scale();
        Parallel.forRange(pr.batch(), pr.grain(), (from, to) -> {
            int block = Math.min(BLOCK_ROWS, Math.max(1, l));
            float[] p = new float[block * s], ds = new float[block * s];
            float[] keys = new float[s * d], vt = new float[dvs * s], g = new float[l * dvs];
            for (int b = from; b < to; b++) {
                int qb = b * l * d, kb = b * s * d, vb = b * s * dvs, ob = b * l * dvs;
                gather(gradOut, b, l, dvs, g, 0, false);
                transpose(kt, kb, d, s, keys);
                transpose(v, vb, s, dvs, vt);
                for (int i0 = 0; i0 < l; i0 += block) {
                    int i1 = Math.min(l, i0 + block), seen = pr.width(pr.keysOf(i1 - 1));
                    if (seen == 0) continue;
                    for (int g0 = i0; g0 < i1; g0 += GROUP) {
                        int rows = Math.min(GROUP, i1 - g0), n = pr.width(pr.keysOf(g0 + rows - 1)), po = (g0 - i0) * s;
                        if (n > 0) {
                            kernels.gemm(rows, d, q, qb + g0 * d, d, 1, kt, kb, s, n, scale, false, p, po, s); // scores
                            kernels.gemm(rows, dvs, g, g0 * dvs, dvs, 1, vt, 0, s, n, 1f, false, ds, po, s); // dP
                        }
                        for (int r = 0; r < rows; r++) {
                            int i = g0 + r, ro = po + r * s, ni = pr.keysOf(i);
                            Arrays.fill(p, ro + ni, ro + n, Float.NEGATIVE_INFINITY);
                            applyMask(pr.mask(), b, i, p, ro, ni);
                            kernels.expShiftSum(p, ro, n, lse[b * l + i]); // the probabilities, 0 where hidden
                            Arrays.fill(p, ro + n, ro + seen, 0f); // keys the block's later rows see
                            float rowDot = kernels.dot(g, i * dvs, out, ob + i * dvs, dvs);
                            kernels.softmaxGrad(p, ro, ds, ro, rowDot, n); // dS, 0 where p is
                            Arrays.fill(ds, ro + n, ro + seen, 0f);
                        }
                        if (n > 0) kernels.gemm(rows, n, ds, po, s, 1, keys, 0, d, d, scale, false, dq, qb + g0 * d, d);
                    }
                    // dV += P^T gradOut and dK += scale dS^T q over the block's rows, 4 keys at a time
                    for (int j = 0; j < seen; j += GROUP) {
                        int keyCount = Math.min(GROUP, seen - j);
                        // under the causal mask, rows before key j's position see none of these keys
                        int first = pr.causal() ? (int) Math.max(0L, Math.min(i1 - i0, (long) j - pr.causalOffset() - i0)) : 0;
                        int count = i1 - i0 - first;
                        if (count <= 0) continue;
                        kernels.gemm(keyCount, count, p, first * s + j, 1, s, g, (i0 + first) * dvs, dvs, dvs, 1f, true, dv, vb + j * dvs, dvs);
                        kernels.gemm(keyCount, count, ds, first * s + j, 1, s, q, qb + (i0 + first) * d, d, d, scale, true, dk, kb + j * d, d);
                    }
                }
            }
        });
    }

    /** Sets the scores of masked keys of row i to -Infinity. */
    private static void applyMask(Operand mask, int b, int i, float[] p, int po, int n) {
        if (mask == null) return;
        float[] m = mask.data();
        int at = mask.base()[b] + i * mask.rowStride(), cs = mask.colStride();
        for (int j = 0; j < n; j++, at += cs) if (m[at] != 0f) p[po + j] = Float.NEGATIVE_INFINITY;
    }

    /** Copies problem b of x (rows, cols) to dst at dstOff, as (rows, cols) or transposed (cols, rows). */
    private static void gather(Operand x, int b, int rows, int cols, float[] dst, int dstOff, boolean transposed) {
        float[] src = x.data();
        int base = x.base()[b], rs = x.rowStride(), cs = x.colStride();
        if (transposed) {
            for (int r = 0; r < rows; r++)
                for (int c = 0, at = base + r * rs; c < cols; c++, at += cs) dst[dstOff + c * rows + r] = src[at];
        } else if (cs == 1) {
            for (int r = 0; r < rows; r++) System.arraycopy(src, base + r * rs, dst, dstOff + r * cols, cols);
        } else {
            for (int r = 0; r < rows; r++)
                for (int c = 0, at = base + r * rs; c < cols; c++, at += cs) dst[dstOff + r * cols + c] = src[at];
        }
    }

    /** dst (cols, rows) = the transpose of src[off ..] (rows, cols). */
    private static void transpose(float[] src, int off, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[off + r * cols + c];
    }
}
