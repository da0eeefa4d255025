package dev.depth.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * ExpMath's functions are accurate over the whole float range, and the SIMD kernels built on them
 * give every element the bits of the scalar twin, on the first call (the Vector API's fallback, or
 * code not yet compiled) and once compiled: results do not depend on when C2 compiled a kernel, nor
 * on where an element falls in its array.
 */
class ExpMathTest {
    private static final VectorFloatKernels FAST = new VectorFloatKernels();

    /** Points across [lo, hi], with the specials and the range's edges. */
    private static float[] points(float lo, float hi, int n, float... extra) {
        float[] x = new float[n + extra.length];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1);
        System.arraycopy(extra, 0, x, n, extra.length);
        return x;
    }

    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, 1e-30f, -1e-30f, 1e-8f, -1e-8f, 0.3465f, -0.3466f, 88.72f, 88.7228f, 88.73f, 89f, 100f, -87.33f, -87.34f,
            -95f, -103.27f, -103.28f, -103.97f, -104f, -110f, 22f, -22f, 9.01f, -9.01f, Float.MAX_VALUE, -Float.MAX_VALUE};

    private static void assertUlps(double exact, float actual, int ulps, String what) {
        assertUlps(exact, actual, ulps, 0, what);
    }

    /** Within {@code ulps} of the exact value, or within {@code abs} of it. */
    private static void assertUlps(double exact, float actual, int ulps, double abs, String what) {
        float expected = (float) exact;
        if (Float.isNaN(expected)) {
            assertTrue(Float.isNaN(actual), what + ": expected NaN, got " + actual);
            return;
        }
        if (expected == actual) return;
        if (Float.isInfinite(expected) || Float.isInfinite(actual)) fail(what + ": expected " + expected + ", got " + actual);
        double diff = Math.abs(exact - actual), ulp = Math.ulp(expected);
        if (!(diff <= ulps * ulp) && !(diff <= abs)) fail(what + ": expected " + exact + ", got " + actual + " (" + diff / ulp + " ulps)");
    }

    private static void sweep(float[] x, DoubleUnaryOperator exact, java.util.function.Function<Float, Float> f, int ulps, String name) {
        for (float v : x) assertUlps(exact.applyAsDouble(v), f.apply(v), ulps, name + "(" + v + ")");
    }

    @Test
    void expIsWithinTwoUlpsFromUnderflowToOverflow() {
        sweep(points(-110f, 95f, 200_001, SPECIAL), Math::exp, ExpMath::exp, 2, "exp");
        assertEquals(0f, ExpMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, ExpMath.exp(88.73f));
        assertEquals(Float.MIN_VALUE, ExpMath.exp(-103.27f)); // the smallest subnormal, rounded once
        assertEquals(1f, ExpMath.exp(-0f));
    }

    @Test
    void tanhAndSigmoidAreWithinAFewUlps() {
        float[] x = points(-30f, 30f, 120_001, SPECIAL);
        sweep(x, Math::tanh, ExpMath::tanh, 3, "tanh");
        float[] small = points(-0.5f, 0.5f, 50_001); // no cancellation near 0
        sweep(small, Math::tanh, ExpMath::tanh, 3, "tanh");
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(ExpMath.tanh(-0f)));
        assertEquals(-1f, ExpMath.tanh(Float.NEGATIVE_INFINITY));
        // sigmoid(x) for x below -88.7, where e^-x overflows, is 0 instead of a subnormal (below 2^-126)
        for (float v : points(-110f, 110f, 120_001, SPECIAL))
            assertUlps(1.0 / (1.0 + Math.exp(-v)), ExpMath.sigmoid(v), 3, 0x1p-126, "sigmoid(" + v + ")");
    }

    /** Every kernel built on ExpMath against its scalar twin, bit for bit, at an odd length (lanes and a tail). */
    private static void assertKernelsMatchTwins(float[] x, float[] g, String when) {
        int n = x.length;
        float[] out = new float[n];
        FAST.exp(x, 0, out, 0, n);
        for (int i = 0; i < n; i++) assertBits(ExpMath.exp(x[i]), out[i], "exp(" + x[i] + ") " + when);
        FAST.tanh(x, 0, out, 0, n);
        for (int i = 0; i < n; i++) assertBits(ExpMath.tanh(x[i]), out[i], "tanh(" + x[i] + ") " + when);
        FAST.sigmoid(x, 0, out, 0, n);
        for (int i = 0; i < n; i++) assertBits(ExpMath.sigmoid(x[i]), out[i], "sigmoid(" + x[i] + ") " + when);
        FAST.gelu(x, 0, out, 0, n);
        for (int i = 0; i < n; i++) assertBits(VectorFloatKernels.gelu(x[i]), out[i], "gelu(" + x[i] + ") " + when);
        FAST.geluBackward(x, 0, g, 0, out, 0, n);
        for (int i = 0; i < n; i++) assertBits(VectorFloatKernels.geluBackward(x[i], g[i]), out[i], "gelu'(" + x[i] + ") " + when);
    }

    private static void assertBits(float expected, float actual, String what) {
        if (Float.floatToIntBits(expected) != Float.floatToIntBits(actual)) fail(what + ": " + expected + " vs " + actual);
    }

    @Test
    void theSimdKernelsGiveTheScalarTwinsBitsBeforeAndAfterCompilation() {
        float[] x = points(-40f, 40f, 1023 - SPECIAL.length, SPECIAL);
        float[] g = points(-3f, 2f, x.length);
        assertKernelsMatchTwins(x, g, "on the first call");
        float[] out = new float[x.length];
        for (int r = 0; r < 20_000; r++) { // long enough for C2 to compile the kernels
            FAST.exp(x, 0, out, 0, x.length);
            FAST.tanh(x, 0, out, 0, x.length);
            FAST.sigmoid(x, 0, out, 0, x.length);
            FAST.gelu(x, 0, out, 0, x.length);
            FAST.geluBackward(x, 0, g, 0, out, 0, x.length);
        }
        assertKernelsMatchTwins(x, g, "once compiled");
    }
}
