package dev.depth.kernel.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link AttentionKernels}, at the preferred width. Scores are computed for
 * several keys at once from a transposed key block (one broadcast of the query element, one
 * fused multiply-add per vector of keys), so no horizontal sum is needed per key; ragged ends
 * use masked loads and stores.
 */
final class VectorAttentionKernels implements AttentionKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Throws when the preferred width is not one this class was written and tested for. */
    VectorAttentionKernels() {
        if (L != 4 && L != 8 && L != 16) throw new IllegalStateException("unexpected preferred vector width: " + L + " floats");
    }

    @Override
    public String name() {
        return "SIMD (" + L + " floats)";
    }

    @Override
    public void rowTimesColumns(float[] x, int xo, int d, float[] mt, int mto, int ldm, float alpha, float[] p, int po, int n) {
        int j = 0;
        for (; j <= n - 4 * L; j += 4 * L) { // four independent accumulators hide the FMA latency
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0, row = mto + j; c < d; c++, row += ldm) {
                FloatVector xc = FloatVector.broadcast(S, x[xo + c]);
                a0 = xc.fma(FloatVector.fromArray(S, mt, row), a0);
                a1 = xc.fma(FloatVector.fromArray(S, mt, row + L), a1);
                a2 = xc.fma(FloatVector.fromArray(S, mt, row + 2 * L), a2);
                a3 = xc.fma(FloatVector.fromArray(S, mt, row + 3 * L), a3);
            }
            a0.mul(alpha).intoArray(p, po + j);
            a1.mul(alpha).intoArray(p, po + j + L);
            a2.mul(alpha).intoArray(p, po + j + 2 * L);
            a3.mul(alpha).intoArray(p, po + j + 3 * L);
        }
        for (; j <= n - L; j += L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0;
            int c = 0, row = mto + j;
            for (; c + 1 < d; c += 2, row += 2 * ldm) {
                a0 = FloatVector.broadcast(S, x[xo + c]).fma(FloatVector.fromArray(S, mt, row), a0);
                a1 = FloatVector.broadcast(S, x[xo + c + 1]).fma(FloatVector.fromArray(S, mt, row + ldm), a1);
            }
            if (c < d) a0 = FloatVector.broadcast(S, x[xo + c]).fma(FloatVector.fromArray(S, mt, row), a0);
            a0.add(a1).mul(alpha).intoArray(p, po + j);
        }
        if (j < n) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector a0 = FloatVector.zero(S);
            for (int c = 0, row = mto + j; c < d; c++, row += ldm)
                a0 = FloatVector.broadcast(S, x[xo + c]).fma(FloatVector.fromArray(S, mt, row, m), a0);
            a0.mul(alpha).intoArray(p, po + j, m);
        }
    }

    @Override
    public void weightedRowSum(float[] w, int wo, int ws, int n, float[] m, int mo, int ldm, int width, float alpha,
                               boolean accumulate, float[] out, int oo) {
        int c = 0;
        for (; c <= width - 2 * L; c += 2 * L) { // two rows per step into separate accumulators
            FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
            int j = 0, row = mo + c;
            for (; j + 1 < n; j += 2, row += 2 * ldm) {
                FloatVector w0 = FloatVector.broadcast(S, w[wo + j * ws]), w1 = FloatVector.broadcast(S, w[wo + (j + 1) * ws]);
                a0 = w0.fma(FloatVector.fromArray(S, m, row), a0);
                a1 = w0.fma(FloatVector.fromArray(S, m, row + L), a1);
                b0 = w1.fma(FloatVector.fromArray(S, m, row + ldm), b0);
                b1 = w1.fma(FloatVector.fromArray(S, m, row + ldm + L), b1);
            }
            if (j < n) {
                FloatVector w0 = FloatVector.broadcast(S, w[wo + j * ws]);
                a0 = w0.fma(FloatVector.fromArray(S, m, row), a0);
                a1 = w0.fma(FloatVector.fromArray(S, m, row + L), a1);
            }
            FloatVector r0 = a0.add(b0).mul(alpha), r1 = a1.add(b1).mul(alpha);
            if (accumulate) {
                r0 = r0.add(FloatVector.fromArray(S, out, oo + c));
                r1 = r1.add(FloatVector.fromArray(S, out, oo + c + L));
            }
            r0.intoArray(out, oo + c);
            r1.intoArray(out, oo + c + L);
        }
        for (; c < width; c += L) {
            VectorMask<Float> mask = S.indexInRange(c, width);
            FloatVector a0 = FloatVector.zero(S), b0 = a0;
            int j = 0, row = mo + c;
            for (; j + 1 < n; j += 2, row += 2 * ldm) {
                a0 = FloatVector.broadcast(S, w[wo + j * ws]).fma(FloatVector.fromArray(S, m, row, mask), a0);
                b0 = FloatVector.broadcast(S, w[wo + (j + 1) * ws]).fma(FloatVector.fromArray(S, m, row + ldm, mask), b0);
            }
            if (j < n) a0 = FloatVector.broadcast(S, w[wo + j * ws]).fma(FloatVector.fromArray(S, m, row, mask), a0);
            FloatVector r0 = a0.add(b0).mul(alpha);
            if (accumulate) r0 = r0.add(FloatVector.fromArray(S, out, oo + c, mask));
            r0.intoArray(out, oo + c, mask);
        }
    }

    @Override
    public float max(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) acc = acc.max(FloatVector.fromArray(S, x, xo + i));
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    @Override
    public float expShiftSum(float[] x, int xo, int n, float shift) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = exp(FloatVector.fromArray(S, x, xo + i).sub(shift));
            e.intoArray(x, xo + i);
            acc = acc.add(e);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector e = exp(FloatVector.fromArray(S, x, xo + i, m).sub(shift));
            e.intoArray(x, xo + i, m);
            acc = acc.add(e, m);
        }
        return sumLanes(acc);
    }

    @Override
    public void softmaxGrad(float[] p, int po, float[] ds, int dso, float sub, int n) {
        int i = 0;
        for (; i <= n - L; i += L)
            FloatVector.fromArray(S, ds, dso + i).sub(sub).mul(FloatVector.fromArray(S, p, po + i)).intoArray(ds, dso + i);
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, ds, dso + i, m).sub(sub).mul(FloatVector.fromArray(S, p, po + i, m)).intoArray(ds, dso + i, m);
        }
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            acc = FloatVector.fromArray(S, a, ao + i, m).fma(FloatVector.fromArray(S, b, bo + i, m), acc);
        }
        return sumLanes(acc);
    }

    private static final VectorShuffle<Float> HALF = VectorShuffle.fromOp(S, i -> (i + L / 2) % L);
    private static final VectorShuffle<Float> QUARTER = VectorShuffle.fromOp(S, i -> i ^ Math.max(1, L / 4));
    private static final VectorShuffle<Float> EIGHTH = VectorShuffle.fromOp(S, i -> i ^ Math.max(1, L / 8));
    private static final VectorShuffle<Float> SIXTEENTH = VectorShuffle.fromOp(S, i -> i ^ 1);

    /**
     * The lanes' sum by a fixed tree (halves, quarters, ...), not reduceLanes(ADD), whose order
     * may differ between the interpreter and compiled code: results must not depend on when the
     * JIT compiled a caller.
     */
    private static float sumLanes(FloatVector v) {
        v = v.add(v.rearrange(HALF));
        if (L >= 4) v = v.add(v.rearrange(QUARTER));
        if (L >= 8) v = v.add(v.rearrange(EIGHTH));
        if (L >= 16) v = v.add(v.rearrange(SIXTEENTH));
        return v.lane(0);
    }

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two so that k * LN2_HI is exact for the k that occur. */
    private static final float LN2_HI = 0.693145751953125f, LN2_LO = 1.42860682030941723212e-6f;
    /** Below this, exp underflows to (nearly) zero; -Infinity (a masked score) must give exactly 0. */
    private static final float EXP_MIN = -87.3f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND = 12582912f;

    /**
     * exp(x) for x <= 88 (here x <= 0: a score minus its row's maximum) within a few ulps: x = k ln2
     * + r with |r| <= ln2 / 2, exp(r) by a degree-7 Taylor-Horner polynomial, times 2^k built in the
     * exponent bits. Plain adds and fused multiply-adds only, so the interpreter and compiled code
     * agree bit for bit (the EXP lanewise operation does not promise that). NaN stays NaN; x below
     * {@link #EXP_MIN}, -Infinity included, gives 0.
     */
    private static FloatVector exp(FloatVector x) {
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, EXP_MIN);
        FloatVector xc = x.max(EXP_MIN);
        FloatVector k = xc.mul(LOG2E).add(ROUND).sub(ROUND); // round to nearest: |x log2 e| < 2^22
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1f / 5040f);
        p = p.fma(r, FloatVector.broadcast(S, 1f / 720f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 120f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6f));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        IntVector bits = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector scale = bits.reinterpretAsFloats();
        return p.mul(scale).blend(0f, tiny);
    }
}
