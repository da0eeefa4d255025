package dev.depth.kernel.simd;

/**
 * Plain-Java {@link FloatKernels}: the fallback when the Vector API is unavailable and the oracle
 * that tests compare the vector implementation with. The GEMM tile size is a constructor
 * argument so that a test can build the oracle with the vector implementation's tile.
 */
public final class ScalarFloatKernels implements FloatKernels {
    private final int mr, nr;

    /** A scalar implementation with a 4 x 8 GEMM tile. */
    public ScalarFloatKernels() {
        this(4, 8);
    }

    /** A scalar implementation with an {@code mr} x {@code nr} GEMM tile. */
    public ScalarFloatKernels(int mr, int nr) {
        if (mr < 1 || nr < 1) throw new IllegalArgumentException("tile must be at least 1 x 1, got " + mr + " x " + nr);
        this.mr = mr;
        this.nr = nr;
    }

    @Override public String name() { return "scalar"; }
    @Override public int tileRows() { return mr; }
    @Override public int tileCols() { return nr; }

    @Override
    public void gemmTile(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float beta,
                         float[] c, int cOff, int ldc) {
        float[] acc = new float[mr * nr];
        for (int p = 0; p < kc; p++) {
            int ai = apOff + p * mr, bi = bpOff + p * nr;
            for (int r = 0; r < mr; r++) {
                float av = ap[ai + r];
                for (int j = 0; j < nr; j++) acc[r * nr + j] = Math.fma(av, bp[bi + j], acc[r * nr + j]);
            }
        }
        for (int r = 0; r < mr; r++) {
            int co = cOff + r * ldc;
            for (int j = 0; j < nr; j++) {
                float x = alpha * acc[r * nr + j];
                c[co + j] = beta == 0f ? x : Math.fma(c[co + j], beta, x);
            }
        }
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s = Math.fma(a[ao + i], b[bo + i], s);
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
    }

    @Override
    public float sum(float[] x, int xo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xo + i];
        return s;
    }

    @Override
    public void arith(Arith op, float[] a, int ao, float[] b, int bo, float[] out, int o, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] / b[bo + i]; }
            case MAX -> { for (int i = 0; i < n; i++) out[o + i] = Math.max(a[ao + i], b[bo + i]); }
            case MIN -> { for (int i = 0; i < n; i++) out[o + i] = Math.min(a[ao + i], b[bo + i]); }
        }
    }

    @Override
    public void arith(Arith op, float[] a, int ao, float b, float[] out, int o, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] + b; }
            case SUB -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] - b; }
            case MUL -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] * b; }
            case DIV -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] / b; }
            case MAX -> { for (int i = 0; i < n; i++) out[o + i] = Math.max(a[ao + i], b); }
            case MIN -> { for (int i = 0; i < n; i++) out[o + i] = Math.min(a[ao + i], b); }
        }
    }

    @Override
    public void arith(Arith op, float a, float[] b, int bo, float[] out, int o, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[o + i] = a + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[o + i] = a - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[o + i] = a * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[o + i] = a / b[bo + i]; }
            case MAX -> { for (int i = 0; i < n; i++) out[o + i] = Math.max(a, b[bo + i]); }
            case MIN -> { for (int i = 0; i < n; i++) out[o + i] = Math.min(a, b[bo + i]); }
        }
    }

    @Override
    public void relu(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = Math.max(x[xo + i], 0f);
    }

    @Override
    public void reluBackward(float[] x, int xo, float[] g, int go, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = x[xo + i] > 0f ? g[go + i] : 0f;
    }

    @Override
    public void exp(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = (float) Math.exp(x[xo + i]);
    }

    @Override
    public void tanh(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = (float) Math.tanh(x[xo + i]);
    }

    @Override
    public void sigmoid(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = (float) (1.0 / (1.0 + Math.exp(-x[xo + i])));
    }
}
