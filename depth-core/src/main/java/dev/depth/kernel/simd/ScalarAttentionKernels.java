package dev.depth.kernel.simd;

/** The scalar {@link AttentionKernels}: plain loops, the oracle the vector version is tested against. */
final class ScalarAttentionKernels implements AttentionKernels {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(int rows, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, int n, float alpha,
                     boolean accumulate, float[] c, int co, int ldc) {
        float[] acc = new float[n];
        for (int i = 0; i < rows; i++) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = 0; p < k; p++) {
                float ap = a[ao + i * ars + p * acs];
                int row = bo + p * ldb;
                for (int j = 0; j < n; j++) acc[j] += ap * b[row + j];
            }
            int ci = co + i * ldc;
            for (int j = 0; j < n; j++) c[ci + j] = accumulate ? c[ci + j] + alpha * acc[j] : alpha * acc[j];
        }
    }

    @Override
    public float max(float[] x, int xo, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    @Override
    public float expShiftSum(float[] x, int xo, int n, float shift) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[xo + i] - shift);
            x[xo + i] = e;
            sum += e;
        }
        return sum;
    }

    @Override
    public void softmaxGrad(float[] p, int po, float[] ds, int dso, float sub, int n) {
        for (int i = 0; i < n; i++) ds[dso + i] = p[po + i] * (ds[dso + i] - sub);
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }
}
