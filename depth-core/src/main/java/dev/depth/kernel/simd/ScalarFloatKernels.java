package dev.depth.kernel.simd;

/**
 * Plain-Java {@link FloatKernels}: the fallback when the Vector API is unavailable and the oracle
 * that tests compare the vector implementation with. The GEMM tile size is a constructor
 * argument so that a test can build the oracle with the vector implementation's tile.
 */
public final class ScalarFloatKernels implements FloatKernels {
    private final int mr, nr;

    /** A scalar implementation with a 4 x 4 GEMM tile, its accumulators in registers. */
    public ScalarFloatKernels() {
        this(4, 4);
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
        if (mr == 4 && nr == 4) {
            tile4x4(kc, ap, apOff, bp, bpOff, alpha, beta, c, cOff, ldc);
            return;
        }
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

    /** By its definition: the bias copied into every row of the tile, then {@link #gemmTile} with beta = 1, then {@link #relu}. */
    @Override
    public void gemmTileBias(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float[] bias, int biasOff,
                             float[] c, int cOff, int ldc, boolean relu) {
        for (int r = 0; r < mr; r++) System.arraycopy(bias, biasOff, c, cOff + r * ldc, nr);
        gemmTile(kc, ap, apOff, bp, bpOff, alpha, 1f, c, cOff, ldc);
        if (relu) for (int r = 0; r < mr; r++) relu(c, cOff + r * ldc, c, cOff + r * ldc, nr);
    }

    /** The default tile with its 16 sums in locals: about 4x the generic loop's speed. */
    private static void tile4x4(int kc, float[] ap, int ai, float[] bp, int bi, float alpha, float beta,
                                float[] c, int cOff, int ldc) {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0; p < kc; p++, ai += 4, bi += 4) {
            float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
            float a = ap[ai];
            c00 = Math.fma(a, b0, c00); c01 = Math.fma(a, b1, c01); c02 = Math.fma(a, b2, c02); c03 = Math.fma(a, b3, c03);
            a = ap[ai + 1];
            c10 = Math.fma(a, b0, c10); c11 = Math.fma(a, b1, c11); c12 = Math.fma(a, b2, c12); c13 = Math.fma(a, b3, c13);
            a = ap[ai + 2];
            c20 = Math.fma(a, b0, c20); c21 = Math.fma(a, b1, c21); c22 = Math.fma(a, b2, c22); c23 = Math.fma(a, b3, c23);
            a = ap[ai + 3];
            c30 = Math.fma(a, b0, c30); c31 = Math.fma(a, b1, c31); c32 = Math.fma(a, b2, c32); c33 = Math.fma(a, b3, c33);
        }
        store4(c00, c01, c02, c03, alpha, beta, c, cOff);
        store4(c10, c11, c12, c13, alpha, beta, c, cOff + ldc);
        store4(c20, c21, c22, c23, alpha, beta, c, cOff + 2 * ldc);
        store4(c30, c31, c32, c33, alpha, beta, c, cOff + 3 * ldc);
    }

    private static void store4(float x0, float x1, float x2, float x3, float alpha, float beta, float[] c, int o) {
        if (beta == 0f) {
            c[o] = alpha * x0; c[o + 1] = alpha * x1; c[o + 2] = alpha * x2; c[o + 3] = alpha * x3;
        } else {
            c[o] = Math.fma(c[o], beta, alpha * x0);
            c[o + 1] = Math.fma(c[o + 1], beta, alpha * x1);
            c[o + 2] = Math.fma(c[o + 2], beta, alpha * x2);
            c[o + 3] = Math.fma(c[o + 3], beta, alpha * x3);
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
    public void columnSums(float[] x, int xo, int rows, int ldx, float[] out, int o, int n) {
        for (int j = 0; j < n; j++) {
            float acc = 0f;
            if (rows > 0) acc = x[xo + j];
            for (int r = 1; r < rows; r++) acc += x[xo + r * ldx + j];
            out[o + j] = acc;
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
    public void copyBlock(float[] src, int s, int lds, int rows, int width, float[] dst, int d, int ldd) {
        for (int p = 0; p < rows; p++) System.arraycopy(src, s + p * lds, dst, d + p * ldd, width);
    }

    @Override
    public void unsignedBytesToFloat(byte[] src, int s, float divisor, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = (src[s + i] & 0xFF) / divisor;
    }

    @Override
    public void exp(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = (float) Math.exp(x[xo + i]);
    }

    @Override
    public void maxPool2x2(float[] x, int xo, int w, int[] first, int firstOff, float[] out, int o, int[] argmax, int n) {
        for (int t = 0; t < n; t++) {
            int f = first[firstOff + t], a = xo + f;
            float best = x[a];
            int off = 0;
            float v = x[a + 1];
            if (v > best || (v != v && best == best)) { best = v; off = 1; }
            v = x[a + w];
            if (v > best || (v != v && best == best)) { best = v; off = w; }
            v = x[a + w + 1];
            if (v > best || (v != v && best == best)) { best = v; off = w + 1; }
            out[o + t] = best;
            argmax[o + t] = f + off;
        }
    }

    @Override
    public void maxPool2x2Stride2(float[] x, int xo, int w, int oh, int ow, float[] out, int o, int[] argmax) {
        for (int y = 0; y < oh; y++) {
            for (int q = 0; q < ow; q++) {
                int f = 2 * y * w + 2 * q, a = xo + f;
                float best = x[a];
                int off = 0;
                float v = x[a + 1];
                if (v > best || (v != v && best == best)) { best = v; off = 1; }
                v = x[a + w];
                if (v > best || (v != v && best == best)) { best = v; off = w; }
                v = x[a + w + 1];
                if (v > best || (v != v && best == best)) { best = v; off = w + 1; }
                out[o + y * ow + q] = best;
                argmax[o + y * ow + q] = f + off;
            }
        }
    }

    @Override
    public void tanh(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = (float) Math.tanh(x[xo + i]);
    }

    @Override
    public void sigmoid(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) out[o + i] = (float) (1.0 / (1.0 + Math.exp(-x[xo + i])));
    }

    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0), INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    @Override
    public void gelu(float[] x, int xo, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            out[o + i] = 0.5f * v * (1f + erf((float) (v * INV_SQRT_2)));
        }
    }

    @Override
    public void geluBackward(float[] x, int xo, float[] g, int go, float[] out, int o, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            float cdf = 0.5f * (1f + erf((float) (v * INV_SQRT_2)));
            float pdf = (float) (INV_SQRT_2PI * Math.exp(-0.5 * v * v));
            out[o + i] = g[go + i] * (cdf + v * pdf);
        }
    }

    /**
     * The error function in double precision, to about 1.5e-7 absolute error: a Maclaurin series
     * below |x| = 0.5 (full precision there), and Abramowitz and Stegun's formula 7.1.26 above it.
     */
    public static float erf(float xf) {
        double x = xf, ax = Math.abs(x);
        if (ax < 0.5) {
            double x2 = x * x, term = x, sum = x;
            for (int k = 1; k < 12; k++) {
                term *= -x2 / k;
                sum += term / (2 * k + 1);
            }
            return (float) (sum * 1.1283791670955126);
        }
        double t = 1.0 / (1.0 + 0.3275911 * ax);
        double poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
        double r = 1.0 - poly * Math.exp(-ax * ax);
        return (float) (x < 0 ? -r : r);
    }

    @Override
    public void layerNormRow(float[] x, int xo, int n, float eps, float[] w, float[] b, float[] out, int o, float[] stats, int so) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xo + i];
        float mean = s / n, ss = 0f;
        for (int i = 0; i < n; i++) {
            float d = x[xo + i] - mean;
            ss = Math.fma(d, d, ss);
        }
        float rstd = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            float y = (x[xo + i] - mean) * rstd;
            if (w != null) y *= w[i];
            if (b != null) y += b[i];
            out[o + i] = y;
        }
        stats[so] = mean;
        stats[so + 1] = rstd;
    }

    @Override
    public void layerNormRowBackward(float[] x, int xo, float[] g, int go, int n, float mean, float rstd, float[] w,
                                     float[] dx, int dxo, float[] gw, float[] gb) {
        float sd = 0f, sdx = 0f;
        for (int i = 0; i < n; i++) {
            float xh = (x[xo + i] - mean) * rstd, gi = g[go + i], d = w == null ? gi : gi * w[i];
            sd += d;
            sdx = Math.fma(d, xh, sdx);
            if (gw != null) gw[i] = Math.fma(gi, xh, gw[i]);
            if (gb != null) gb[i] += gi;
        }
        float md = sd / n, mdx = sdx / n;
        for (int i = 0; i < n; i++) {
            float xh = (x[xo + i] - mean) * rstd, d = w == null ? g[go + i] : g[go + i] * w[i];
            dx[dxo + i] = rstd * (d - md - xh * mdx);
        }
    }

    @Override
    public void transposeRows8(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd) {
        if (ldd < 8) throw new IllegalArgumentException("transposeRows8: ldd must be >= 8, got " + ldd);
        int s0 = s, s1 = s0 + lds, s2 = s1 + lds, s3 = s2 + lds, s4 = s3 + lds, s5 = s4 + lds, s6 = s5 + lds, s7 = s6 + lds;
        for (int p = 0; p < kc; p++, d += ldd) {
            dst[d] = src[s0 + p];
            dst[d + 1] = src[s1 + p];
            dst[d + 2] = src[s2 + p];
            dst[d + 3] = src[s3 + p];
            dst[d + 4] = src[s4 + p];
            dst[d + 5] = src[s5 + p];
            dst[d + 6] = src[s6 + p];
            dst[d + 7] = src[s7 + p];
        }
    }

    // ---- matrix-vector products ------------------------------------------------------------------

    @Override
    public void dotRows(int rows, int k, float[] w, int wOff, int ldw, float[] x, int xo, float alpha, float beta, float[] y, int yo) {
        for (int j = 0; j < rows; j++) {
            int o = wOff + j * ldw;
            float s = 0f;
            for (int p = 0; p < k; p++) s = Math.fma(w[o + p], x[xo + p], s);
            float v = alpha * s;
            y[yo + j] = beta == 0f ? v : Math.fma(y[yo + j], beta, v);
        }
    }
}
