package dev.depth.kernel.simd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The attention kernels against the scalar oracle, on ragged sizes and strided operands: the ones in
 * use and, where the Vector API runs, both forms of the vector kernels (the basic one, for JDKs whose
 * C2 does not compile masks and rearranges, and the full one), whichever this JDK picks.
 */
class AttentionKernelsTest {
    private final AttentionKernels oracle = AttentionKernels.scalar();

    static List<AttentionKernels> forms() {
        List<AttentionKernels> forms = new ArrayList<>(List.of(AttentionKernels.get()));
        if (Simd.vectorized()) {
            forms.add(new VectorAttentionKernels(true));
            forms.add(new VectorAttentionKernels(false));
        }
        return forms;
    }

    @Test
    void theVectorKernelsAreChosenWithTheOtherSimdKernels() {
        AttentionKernels fast = AttentionKernels.get();
        assertEquals(Simd.vectorized(), fast != oracle, fast.name());
        assertEquals("scalar", oracle.name());
        if (Simd.vectorized()) assertEquals(!VectorAttentionKernels.FULL_API, fast.name().contains("basic"), fast.name());
    }

    private static void assertClose(float[] expected, float[] actual, double rtol, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = rtol * (1 + Math.abs(expected[i]));
            if (expected[i] == actual[i] || Float.isNaN(expected[i]) && Float.isNaN(actual[i])) continue;
            if (!(Math.abs(expected[i] - actual[i]) <= tol))
                fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void gemmMatchesTheOracleAndWritesOnlyItsTile(AttentionKernels fast) {
        int[] rowCounts = {1, 3, 4, 5, 9}, depths = {0, 1, 5, 32, 65}, widths = {1, 7, 16, 17, 33, 49, 64, 130};
        long seed = 0;
        for (int rows : rowCounts) {
            for (int k : depths) {
                for (int n : widths) {
                    for (boolean transposedA : new boolean[] {false, true}) {
                        for (boolean accumulate : new boolean[] {false, true}) {
                            seed++;
                            int ars = transposedA ? 1 : k + 2, acs = transposedA ? rows + 1 : 1;
                            float[] a = FloatKernelsTest.random(3 + rows * (k + 2) + k * (rows + 1), seed);
                            int ldb = n + 3, ldc = n + 5;
                            float[] b = FloatKernelsTest.random(2 + k * ldb, seed + 1000);
                            float[] c1 = FloatKernelsTest.random(4 + rows * ldc, seed + 2000), c2 = c1.clone();
                            fast.gemm(rows, k, a, 3, ars, acs, b, 2, ldb, n, 0.75f, accumulate, c1, 4, ldc);
                            oracle.gemm(rows, k, a, 3, ars, acs, b, 2, ldb, n, 0.75f, accumulate, c2, 4, ldc);
                            String what = "rows " + rows + " k " + k + " n " + n + (transposedA ? " A^T" : "") + (accumulate ? " +=" : "");
                            assertClose(c2, c1, 1e-5, what);
                            for (int i = 0; i < rows; i++) // the gaps between C's rows are untouched
                                for (int j = 4 + i * ldc + n; j < Math.min(c1.length, 4 + (i + 1) * ldc); j++) assertEquals(c2[j], c1[j], what + " gap " + j);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void softmaxPiecesMatchTheOracle(AttentionKernels fast) {
        for (int n : new int[] {0, 1, 7, 16, 17, 33, 130}) {
            float[] x = FloatKernelsTest.random(n + 3, n);
            for (int i = 0; i < x.length; i += 5) x[i] = Float.NEGATIVE_INFINITY; // masked scores give exactly 0
            if (n > 2) x[3] = -100f; // below the range where exp is normal
            assertEquals(oracle.max(x, 3, n), fast.max(x, 3, n), "max " + n);
            float[] e1 = x.clone(), e2 = x.clone();
            float s1 = fast.expShiftSum(e1, 3, n, 1.5f), s2 = oracle.expShiftSum(e2, 3, n, 1.5f);
            assertClose(e2, e1, 1e-6, "exp " + n);
            assertEquals(s2, s1, 1e-5 * (1 + s2), "sum " + n);
            for (int i = 3; i < 3 + n; i++) if (x[i] == Float.NEGATIVE_INFINITY) assertEquals(0f, e1[i]);
            float[] g1 = FloatKernelsTest.random(n + 1, n + 7), g2 = g1.clone();
            fast.softmaxGrad(e1, 3, g1, 1, 0.25f, n);
            oracle.softmaxGrad(e1, 3, g2, 1, 0.25f, n);
            assertClose(g2, g1, 1e-6, "softmaxGrad " + n);
            assertEquals(oracle.dot(x, 4, g2, 0, Math.max(0, n - 1)), fast.dot(x, 4, g2, 0, Math.max(0, n - 1)), 1e-4, "dot " + n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void expIsAccurateAcrossItsRange(AttentionKernels fast) {
        int n = 4001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87f + 87f * i / (n - 1);
        float[] e = x.clone();
        fast.expShiftSum(e, 0, n, 0f);
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(x[i]);
            assertEquals(exact, e[i], 4 * Math.ulp((float) exact), "exp(" + x[i] + ")");
        }
        float[] nan = {Float.NaN, 0f};
        fast.expShiftSum(nan, 0, 2, 0f);
        assertTrue(Float.isNaN(nan[0]));
        assertEquals(1f, nan[1]);
    }

    @Test
    void theBasicFormComputesTheFullFormsBitsInGemmAndExp() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Simd.vectorized(), "no SIMD kernels on this machine");
        AttentionKernels full = new VectorAttentionKernels(false), basic = new VectorAttentionKernels(true);
        for (int rows : new int[] {1, 4, 6}) {
            for (int n : new int[] {3, 17, 40}) {
                int k = 9;
                float[] a = FloatKernelsTest.random(rows * k, rows + n), b = FloatKernelsTest.random(k * n, n);
                float[] c1 = FloatKernelsTest.random(rows * n, 7), c2 = c1.clone();
                full.gemm(rows, k, a, 0, k, 1, b, 0, n, n, 0.5f, true, c1, 0, n);
                basic.gemm(rows, k, a, 0, k, 1, b, 0, n, n, 0.5f, true, c2, 0, n);
                assertArrayEquals(c1, c2, "gemm rows " + rows + " n " + n);
            }
        }
        float[] x = new float[301];
        for (int i = 0; i < x.length; i++) x[i] = -90f + 0.3f * i;
        x[5] = Float.NaN;
        x[6] = Float.NEGATIVE_INFINITY;
        float[] e1 = x.clone(), e2 = x.clone();
        full.expShiftSum(e1, 0, x.length, 0.5f);
        basic.expShiftSum(e2, 0, x.length, 0.5f);
        assertArrayEquals(e1, e2, "exp");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void resultsDoNotDependOnTheCall(AttentionKernels fast) {
        float[] x = FloatKernelsTest.random(200, 5), y1 = x.clone(), y2 = x.clone();
        float s1 = fast.expShiftSum(y1, 1, 190, 0.5f), s2 = fast.expShiftSum(y2, 1, 190, 0.5f);
        assertEquals(s1, s2);
        assertArrayEquals(y1, y2);
        assertEquals(fast.dot(x, 0, y1, 3, 150), fast.dot(x, 0, y1, 3, 150));
        assertTrue(Arrays.equals(y1, y2));
    }
}
