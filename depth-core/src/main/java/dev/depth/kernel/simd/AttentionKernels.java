package dev.depth.kernel.simd;

/**
 * The inner loops of fused attention ({@code dev.depth.kernel.FusedAttention}), over flat float
 * arrays with explicit offsets: small matrix products (scores of a few query rows against a block
 * of keys, weighted sums of rows) and the pieces of a row's softmax and its backward.
 *
 * <p>Implementations are stateless and thread-safe. Two exist: {@link ScalarAttentionKernels}
 * (the fallback and the test oracle) and a Vector API one, chosen by {@link #get()} the way
 * {@link Simd} chooses the {@link FloatKernels}. They may differ in rounding (sums are
 * accumulated in different orders), never in what they compute.
 */
public interface AttentionKernels {

    /** A one-line name, e.g. {@code "SIMD (16 floats)"} or {@code "scalar"}. */
    String name();

    /**
     * A small matrix product for {@code rows} rows (best in groups of 4): {@code r[i][j] = alpha *
     * sum over p < k of a[ao + i * ars + p * acs] * b[bo + p * ldb + j]} for i < rows, j < n; writes
     * {@code c[co + i * ldc + j] = r[i][j]}, or adds r to it when {@code accumulate}. A is read
     * through two strides, so a transposed operand costs nothing; B's rows must be contiguous.
     */
    void gemm(int rows, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, int n, float alpha,
              boolean accumulate, float[] c, int co, int ldc);

    /** The largest of x[xo .. xo+n) ({@code -Infinity} when n == 0), NaN if any is NaN. */
    float max(float[] x, int xo, int n);

    /** x[xo+i] = exp(x[xo+i] - shift) in place for i in [0, n); returns the sum of the new values. */
    float expShiftSum(float[] x, int xo, int n, float shift);

    /** ds[dso+i] = p[po+i] * (ds[dso+i] - sub) for i in [0, n): the softmax backward of one row. */
    void softmaxGrad(float[] p, int po, float[] ds, int dso, float sub, int n);

    /** Returns the sum of a[ao+i] * b[bo+i] for i in [0, n). */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /**
     * The implementation in use: the Vector API one when {@link Simd#vectorized()} (so the same
     * switch, {@code -Ddepth.kernels=scalar}, forces the scalar one) and it passes a small
     * self-test against the scalar oracle; the scalar one otherwise. Never throws.
     */
    static AttentionKernels get() {
        return Holder.KERNELS;
    }

    /** The scalar reference implementation. */
    static AttentionKernels scalar() {
        return Holder.SCALAR;
    }

    /** Lazy, once-only selection. */
    final class Holder {
        private static final AttentionKernels SCALAR = new ScalarAttentionKernels();
        private static final AttentionKernels KERNELS = choose();

        private Holder() {}

        private static AttentionKernels choose() {
            if (!Simd.vectorized()) return SCALAR;
            try {
                AttentionKernels v = (AttentionKernels) Class.forName("dev.depth.kernel.simd.VectorAttentionKernels")
                        .getDeclaredConstructor().newInstance();
                return selfTest(v) ? v : SCALAR;
            } catch (Throwable t) { // no jdk.incubator.vector, unexpected width, ...
                return SCALAR;
            }
        }

        /** One short row of each kernel against the scalar oracle, within a loose tolerance. */
        private static boolean selfTest(AttentionKernels v) {
            int n = 37, d = 5, rows = 5;
            float[] x = new float[rows * d], m = new float[d * n], a = new float[rows * n], b = new float[rows * n];
            for (int i = 0; i < x.length; i++) x[i] = (i * 7 % 5) * 0.3f - 0.6f;
            for (int i = 0; i < m.length; i++) m[i] = (i * 5 % 11) * 0.1f - 0.5f;
            v.gemm(rows, d, x, 0, d, 1, m, 0, n, n, 0.5f, false, a, 0, n);
            SCALAR.gemm(rows, d, x, 0, d, 1, m, 0, n, n, 0.5f, false, b, 0, n);
            if (!close(a, b)) return false;
            float sa = v.expShiftSum(a, 0, n, v.max(a, 0, n)), sb = SCALAR.expShiftSum(b, 0, n, SCALAR.max(b, 0, n));
            if (!close(a, b) || Math.abs(sa - sb) > 1e-4f * Math.abs(sb)) return false;
            v.gemm(rows, d, x, 0, 1, rows, m, 0, n, n, 2f, true, a, 0, n);
            SCALAR.gemm(rows, d, x, 0, 1, rows, m, 0, n, n, 2f, true, b, 0, n);
            return close(a, b) && Math.abs(v.dot(a, 0, m, 3, n) - SCALAR.dot(a, 0, m, 3, n)) < 1e-4f;
        }

        private static boolean close(float[] a, float[] b) {
            for (int i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-5f * (1 + Math.abs(b[i])))) return false;
            return true;
        }
    }
}
