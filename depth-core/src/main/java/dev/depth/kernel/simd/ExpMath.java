package dev.depth.kernel.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp and the activations built on it (tanh, sigmoid, GELU's normal density), each as a vector
 * function and its scalar twin that performs the same operations in the same order: plain float
 * adds and multiplies, fused multiply-adds, min/max and one reinterpretation of bits. Every one of
 * those is exact IEEE arithmetic wherever it runs, so a value gets the same bits whether its lane
 * went through the Vector API's Java fallback (an uncompiled caller), C2's instructions, or the
 * scalar twin (the ends of arrays that do not fill a vector). The Vector API's {@code EXP} and
 * {@code TANH} operations do not promise that: their fallback and C2's intrinsic round differently
 * (10 of 1,024 floats differed for exp and for tanh, 5 for sigmoid, between a kernel's first call and
 * its compiled calls, on JDK 17 and 25), so a model trained from a fixed seed gave different results
 * from one run to the next, depending on when C2 compiled the kernel.
 *
 * <p>exp(x): x is clamped to [{@link #LO}, {@link #HI}] (below, exp rounds to 0; above, it
 * overflows to infinity), reduced as x = k ln 2 + r with |r| <= ln 2 / 2 (ln 2 in two parts, after
 * Cody and Waite, so that k ln 2 is exact), e^r by a degree-7 Taylor polynomial in Horner form
 * (truncation below 5e-9 relative), then scaled by 2^k as two factors 2^k1 2^k2 built in the
 * exponent bits, so that results down in the subnormal range are rounded once, by the last multiply.
 * Within 2 ulps of the correctly rounded value across the range (tested against {@link Math#exp});
 * NaN stays NaN.
 */
final class ExpMath {
    private ExpMath() {}

    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts: LN2_HI has 16 significant bits, so k * LN2_HI is exact for |k| < 256. */
    static final float LN2_HI = 0.693145751953125f, LN2_LO = 1.42860682030941723212e-6f;
    /** exp(x) rounds to 0 below -103.97 (half the smallest subnormal) and overflows above 88.72. */
    static final float LO = -104f, HI = 89f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer (ties to even). */
    static final float ROUND = 12582912f;
    /** 2^23 + 127: k + BIAS (an integer k in [-127, 128]) holds k + 127 in its low mantissa bits. */
    static final float BIAS = 8388735f;
    /** ln(2^-126), rounded up: from here up e^x is at least the smallest normal float, and 2^k one factor. */
    static final float NORMAL_LO = -87.33654f;
    /** tanh's exp argument -2|x| is clamped here: e^-44 = 8e-20, so e^y - 1 is -1 in float below it. */
    static final float TANH_LO = -44f;

    private static final float C7 = 1f / 5040f, C6 = 1f / 720f, C5 = 1f / 120f, C4 = 1f / 24f, C3 = 1f / 6f, C2 = 0.5f;

    // ---- scalar twins ----------------------------------------------------------------------------

    static float exp(float x) {
        float xc = Math.min(Math.max(x, LO), HI);
        float k = xc * LOG2E + ROUND - ROUND;
        float r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, xc));
        float p = Math.fma(expm1Poly(r), r, 1f);
        float k1 = k * 0.5f + ROUND - ROUND, k2 = k - k1;
        return p * pow2(k1) * pow2(k2);
    }

    /**
     * exp(x) for x <= 0 with results below 2^-126 (x below {@link #NORMAL_LO}) flushed to 0: fewer
     * operations than {@link #exp(float)}, for sigmoid and for GELU's density exp(-x^2 / 2), where such
     * values do not change a float result beyond 2^-126 (GELU multiplies them by x and a polynomial
     * below 1, against 0.5 x for |x| > 13).
     */
    static float expNonPositive(float x) {
        float xc = Math.max(x, NORMAL_LO);
        float k = xc * LOG2E + ROUND - ROUND;
        float r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, xc));
        float p = Math.fma(expm1Poly(r), r, 1f);
        float e = p * pow2(k);
        return x < NORMAL_LO ? 0f : e;
    }

    /** 1 + r/2 + r^2/6 + ... + r^6/5040: (e^r - 1) / r to degree 7 of e^r. */
    private static float expm1Poly(float r) {
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        return Math.fma(p, r, 1f);
    }

    /** 2^k for an integral k in [-126, 127], from its bits. */
    private static float pow2(float k) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(k + BIAS) << 23);
    }

    /**
     * tanh(x) = sign(x) (1 - e^y) / (1 + e^y) with y = -2|x|, as -m / (2 + m) with m = e^y - 1
     * computed without cancellation: m = q 2^k + (2^k - 1), q = e^r - 1 by the polynomial, one
     * rounding (a fused multiply-add); 2^k - 1 is exact for the k that matter (for k below -24, m
     * is -1 to float precision anyway).
     */
    static float tanh(float x) {
        float y = Math.max(-2f * Math.abs(x), TANH_LO);
        float k = y * LOG2E + ROUND - ROUND;
        float r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, y));
        float q = expm1Poly(r) * r;
        float s = pow2(k);
        float m = Math.fma(q, s, s - 1f);
        float t = Math.abs(m) / (m + 2f); // m <= 0; abs, not negation, so that tanh(+-0) = +-0
        return Float.floatToRawIntBits(x) < 0 ? -t : t;
    }

    /**
     * 1 / (1 + e^-x), as n / (1 + e) with e = e^-|x| <= 1 (never overflows) and n = e for x < 0,
     * else 1: one division. Results below 2^-126 (x below -87.34) are 0.
     */
    static float sigmoid(float x) {
        float e = expNonPositive(-Math.abs(x));
        return (x < 0f ? e : 1f) / (e + 1f);
    }

    // ---- vector forms ----------------------------------------------------------------------------
    // Written out flat, without helper methods: C2 inlines a kernel's Vector API calls only up to a node
    // budget (NodeCountInliningCutoff), and with helpers GELU and the attention's expShiftSum went over it
    // (their vectors then lived as objects: 384 B-12 KB allocated per call).

    /** The preferred species, the kernels' (a vector of another width is refused by the operations). */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector V_C7 = FloatVector.broadcast(S, C7), V_C6 = FloatVector.broadcast(S, C6),
            V_C5 = FloatVector.broadcast(S, C5), V_C4 = FloatVector.broadcast(S, C4), V_C3 = FloatVector.broadcast(S, C3),
            V_C2 = FloatVector.broadcast(S, C2), V_ONE = FloatVector.broadcast(S, 1f),
            V_LN2_HI = FloatVector.broadcast(S, -LN2_HI), V_LN2_LO = FloatVector.broadcast(S, -LN2_LO);

    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(LO).min(HI);
        FloatVector k = xc.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = k.fma(V_LN2_LO, k.fma(V_LN2_HI, xc));
        FloatVector p = V_C7.fma(r, V_C6).fma(r, V_C5).fma(r, V_C4).fma(r, V_C3).fma(r, V_C2).fma(r, V_ONE).fma(r, V_ONE);
        FloatVector k1 = k.mul(0.5f).add(ROUND).sub(ROUND), k2 = k.sub(k1);
        FloatVector s1 = k1.add(BIAS).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(BIAS).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    static FloatVector expNonPositive(FloatVector x) {
        FloatVector xc = x.max(NORMAL_LO);
        FloatVector k = xc.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = k.fma(V_LN2_LO, k.fma(V_LN2_HI, xc));
        FloatVector p = V_C7.fma(r, V_C6).fma(r, V_C5).fma(r, V_C4).fma(r, V_C3).fma(r, V_C2).fma(r, V_ONE).fma(r, V_ONE);
        FloatVector s = k.add(BIAS).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s).blend(0f, x.compare(VectorOperators.LT, NORMAL_LO));
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector y = x.abs().mul(-2f).max(TANH_LO);
        FloatVector k = y.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = k.fma(V_LN2_LO, k.fma(V_LN2_HI, y));
        FloatVector q = V_C7.fma(r, V_C6).fma(r, V_C5).fma(r, V_C4).fma(r, V_C3).fma(r, V_C2).fma(r, V_ONE).mul(r);
        FloatVector s = k.add(BIAS).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector m = q.fma(s, s.sub(1f));
        FloatVector t = m.abs().div(m.add(2f));
        return t.blend(t.neg(), x.test(VectorOperators.IS_NEGATIVE));
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = expNonPositive(x.abs().neg());
        return V_ONE.blend(e, x.compare(VectorOperators.LT, 0f)).div(e.add(1f));
    }
}
