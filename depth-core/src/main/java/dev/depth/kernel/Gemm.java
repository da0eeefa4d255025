package dev.depth.kernel;

/**
 * Single-precision matrix multiply on row-major float arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(X)} is X or its transpose.
 *
 * <p>Shapes: op(A) is (m, k), op(B) is (k, n), C is (m, n). {@code lda}, {@code ldb}, {@code ldc}
 * are the row strides of A, B and C as stored (for a transposed A, stored as (k, m), lda >= m).
 * When {@code beta == 0}, C is overwritten and its previous content (even NaN) is ignored.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        Parallel.forRange(m, Math.max(1, 16384 / Math.max(1, n * Math.max(1, k) / 64 + 1)), (r0, r1) ->
                reference(transA, transB, r0, r1, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
    }

    /** Scalar reference over rows {@code [r0, r1)} of C: the oracle for faster kernels. */
    public static void reference(boolean transA, boolean transB, int r0, int r1, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        float[] acc = new float[n];
        for (int i = r0; i < r1; i++) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (!transB) {
                    int bo = bOff + p * ldb;
                    for (int j = 0; j < n; j++) acc[j] += av * b[bo + j];
                } else {
                    for (int j = 0; j < n; j++) acc[j] += av * b[bOff + j * ldb + p];
                }
            }
            int co = cOff + i * ldc;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) c[co + j] = alpha * acc[j];
            } else {
                for (int j = 0; j < n; j++) c[co + j] = alpha * acc[j] + beta * c[co + j];
            }
        }
    }
}
