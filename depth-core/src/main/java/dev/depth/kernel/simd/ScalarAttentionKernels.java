package dev.depth.kernel.simd;

/** The scalar {@link AttentionKernels}: plain loops, the oracle the vector version is tested against. */
final class ScalarAttentionKernels implements AttentionKernels {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void rowTimesColumns(float[] x, int xo, int d, float[] mt, int mto, int ldm, float alpha, float[] p, int po, int n) {
        for (int j = 0; j < n; j++) p[po + j] = 0f;
        for (int c = 0; c < d; c++) {
            float xc = x[xo + c];
            int row = mto + c * ldm;
            for (int j = 0; j < n; j++) p[po + j] += xc * mt[row + j];
        }
        for (int j = 0; j < n; j++) p[po + j] *= alpha;
    }

    @Override
    public void weightedRowSum(float[] w, int wo, int ws, int n, float[] m, int mo, int ldm, int width, float alpha,
                               boolean accumulate, float[] out, int oo) {
        for (int c = 0; c < width; c++) {
            float acc = 0f;
            for (int j = 0; j < n; j++) acc += w[wo + j * ws] * m[mo + j * ldm + c];
            out[oo + c] = accumulate ? out[oo + c] + alpha * acc : alpha * acc;
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
