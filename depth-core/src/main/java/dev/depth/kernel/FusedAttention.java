package dev.depth.kernel;

import dev.depth.kernel.simd.AttentionKernels;

import java.util.Arrays;

/**
 * Fused scaled-dot-product attention over flat arrays, forward and backward, in the manner of
 * FlashAttention (Dao et al., 2022): the (L, S) matrix of scores is never stored whole. The
 * forward keeps one row of scores at a time and saves only the output and each row's
 * log-sum-exp; the backward recomputes the probabilities of a block of query rows from the
 * queries, the keys and the saved log-sum-exp.
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
            float[] p = new float[Math.max(1, s)];
            for (int b = from; b < to; b++) {
                int qb = b * l * d, kb = b * s * d, vb = b * s * dv, ob = b * l * dv;
                gather(q, b, l, d, qOut, qb, false);
                gather(k, b, s, d, ktOut, kb, true);
                gather(v, b, s, dv, vOut, vb, false);
                for (int i = 0; i < l; i++) {
                    int n = pr.keysOf(i), oi = ob + i * dv;
                    float max = Float.NEGATIVE_INFINITY;
                    if (n > 0) {
                        kernels.rowTimesColumns(qOut, qb + i * d, d, ktOut, kb, s, pr.scale(), p, 0, n);
                        applyMask(pr.mask(), b, i, p, 0, n);
                        max = kernels.max(p, 0, n);
                    }
                    if (max == Float.NEGATIVE_INFINITY) { // no key to attend to
                        Arrays.fill(out, oi, oi + dv, Float.NaN);
                        lse[b * l + i] = Float.NaN;
                        continue;
                    }
                    float sum = kernels.expShiftSum(p, 0, n, max);
                    lse[b * l + i] = max + (float) Math.log(sum);
                    kernels.weightedRowSum(p, 0, 1, n, vOut, vb, dv, dv, 1f / sum, false, out, oi);
                }
            }
        });
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
            int rows = Math.min(BLOCK_ROWS, Math.max(1, l));
            float[] p = new float[rows * s], ds = new float[rows * s];
            float[] keys = new float[s * d], vt = new float[dvs * s], g = new float[l * dvs];
            for (int b = from; b < to; b++) {
                int qb = b * l * d, kb = b * s * d, vb = b * s * dvs, ob = b * l * dvs;
                gather(gradOut, b, l, dvs, g, 0, false);
                transpose(kt, kb, d, s, keys);
                transpose(v, vb, s, dvs, vt);
                for (int i0 = 0; i0 < l; i0 += rows) {
                    int i1 = Math.min(l, i0 + rows), seen = 0;
                    for (int i = i0; i < i1; i++) {
                        int n = pr.keysOf(i), r = (i - i0) * s;
                        seen = Math.max(seen, n);
                        if (n == 0) continue;
                        kernels.rowTimesColumns(q, qb + i * d, d, kt, kb, s, scale, p, r, n);
                        applyMask(pr.mask(), b, i, p, r, n);
                        kernels.expShiftSum(p, r, n, lse[b * l + i]); // the probabilities
                        kernels.rowTimesColumns(g, i * dvs, dvs, vt, 0, s, 1f, ds, r, n); // dP
                        float rowDot = kernels.dot(g, i * dvs, out, ob + i * dvs, dvs);
                        kernels.softmaxGrad(p, r, ds, r, rowDot, n); // dS
                        kernels.weightedRowSum(ds, r, 1, n, keys, 0, d, d, scale, false, dq, qb + i * d);
                    }
                    for (int j = 0; j < seen; j++) {
                        // rows of the block that see key j: all, or under the causal mask those at positions >= j
                        int first = pr.causal() ? (int) Math.max(0L, Math.min(i1 - i0, (long) j - pr.causalOffset() - i0)) : 0;
                        int count = i1 - i0 - first;
                        if (count <= 0) continue;
                        kernels.weightedRowSum(p, first * s + j, s, count, g, (i0 + first) * dvs, dvs, dvs, 1f, true, dv, vb + j * dvs);
                        kernels.weightedRowSum(ds, first * s + j, s, count, q, qb + (i0 + first) * d, d, d, scale, true, dk, kb + j * d);
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
