package dev.depth.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dispatching element-wise kernels against their scalar references. */
class ElementwiseTest {
    private static final int[] LENGTHS = {0, 1, 7, 17, 1023, Elementwise.PARALLEL_MIN + 13};
    /** Results within a few ulps rather than bit-identical. */
    private static final Set<Elementwise.Unary> APPROXIMATE = Set.of(Elementwise.Unary.EXP, Elementwise.Unary.TANH, Elementwise.Unary.SIGMOID);

    static float[] random(int n, long seed) {
        var r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 6 - 3;
        for (int i = 0; i < n; i += 97) x[i] = i % 3 == 0 ? Float.NaN : (i % 3 == 1 ? -0f : 0f);
        return x;
    }

    static void assertNear(float[] expected, float[] actual, boolean exact, String what) {
        if (exact) {
            assertArrayEquals(expected, actual, what);
            return;
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) assertEquals(expected[i], actual[i], what + " at " + i);
            else assertEquals(expected[i], actual[i], 4 * Math.ulp(expected[i]) + 1e-30f, what + " at " + i);
        }
    }

    /** GELU's SIMD erf is a float approximation: within 1e-6 of the double-precision reference here (|x| <= 3, |g| <= 3). */
    static void assertGelu(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) assertEquals(expected[i], actual[i], what + " at " + i);
            else assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), what + " at " + i);
        }
    }

    @Test
    void unaryAndItsBackwardMatchTheReference() {
        for (int n : LENGTHS) {
            float[] x = random(n + 2, n), g = random(n, n + 1);
            for (var f : Elementwise.Unary.values()) {
                float[] y1 = new float[n + 1], y2 = new float[n + 1];
                Elementwise.unary(f, x, 2, y1, 1, n);
                Elementwise.unaryReference(f, x, 2, y2, 1, n);
                if (f == Elementwise.Unary.GELU) assertGelu(y2, y1, f + " n=" + n);
                else assertNear(y2, y1, !APPROXIMATE.contains(f), f + " n=" + n);
                float[] xs = java.util.Arrays.copyOfRange(x, 2, n + 2), ys = java.util.Arrays.copyOfRange(y2, 1, n + 1);
                float[] d1 = new float[n], d2 = new float[n];
                Elementwise.unaryBackward(f, xs, ys, g, d1, n);
                Elementwise.unaryBackwardReference(f, xs, ys, g, d2, n);
                if (f == Elementwise.Unary.GELU) assertGelu(d2, d1, f + " backward n=" + n);
                else assertArrayEquals(d2, d1, f + " backward n=" + n);
            }
        }
    }

    @Test
    void unaryInPlace() {
        float[] x = random(1000, 3), expected = new float[1000];
        Elementwise.unaryReference(Elementwise.Unary.RELU, x, 0, expected, 0, 1000);
        Elementwise.unary(Elementwise.Unary.RELU, x, 0, x, 0, 1000);
        assertArrayEquals(expected, x);
    }

    @Test
    void fillWritesExactlyItsRangeOnOneOrSeveralThreads() {
        for (int n : LENGTHS) {
            float[] a = random(n + 5, n + 9), expected = a.clone();
            java.util.Arrays.fill(expected, 3, 3 + n, -2.5f);
            Elementwise.fill(a, 3, n, -2.5f);
            assertArrayEquals(expected, a, "fill n=" + n);
        }
    }

    @Test
    void binaryMatchesTheReferenceForEveryStridePattern() {
        int[][] strides = {{1, 1}, {1, 0}, {0, 1}, {0, 0}, {2, 1}, {1, 3}};
        for (int n : LENGTHS) {
            float[] a = random(3 * n + 4, n + 5), b = random(3 * n + 4, n + 6);
            for (var f : Elementwise.Binary.values()) {
                for (int[] s : strides) {
                    float[] o1 = new float[n + 1], o2 = new float[n + 1];
                    Elementwise.binary(f, a, 3, s[0], b, 1, s[1], o1, 1, n);
                    Elementwise.binaryReference(f, a, 3, s[0], b, 1, s[1], o2, 1, n);
                    assertArrayEquals(o2, o1, f + " strides " + s[0] + "," + s[1] + " n=" + n);
                }
            }
        }
    }

    @Test
    void columnSumsAreSumOverRowsBitForBitOnAnyThreadCount() {
        int before = Parallel.threads();
        try {
            for (int rows : new int[] {0, 1, 7, 17, 300}) {
                for (int cols : new int[] {1, 7, 17, 1023}) {
                    float[] x = random(5 + rows * cols, 31L * rows + cols);
                    float[] sum0 = dev.depth.tensor.Tensor.wrap(java.util.Arrays.copyOfRange(x, 5, 5 + rows * cols), rows, cols).sum(0).toFloatArray();
                    for (int j = 0; j < cols; j++) { // sum(0) itself against a running sum from row 0 (double for one column)
                        double d = 0;
                        float f = rows == 0 ? 0f : x[5 + j];
                        for (int r = 0; r < rows; r++) {
                            d += x[5 + r * cols + j];
                            if (r > 0) f += x[5 + r * cols + j];
                        }
                        assertEquals(cols == 1 ? (float) d : f, sum0[j], 0f, rows + " x " + cols + ": sum(0), column " + j);
                    }
                    float[] start = random(cols + 3, cols);
                    for (int threads : new int[] {1, 2, 3}) {
                        Parallel.setThreads(threads);
                        String what = rows + " x " + cols + ", " + threads + " threads";
                        float[] out = random(cols + 3, 99);
                        Elementwise.columnSums(x, 5, rows, cols, out, 2, false);
                        float[] expected = random(cols + 3, 99);
                        System.arraycopy(sum0, 0, expected, 2, cols);
                        assertArrayEquals(expected, out, what + ": written over stale values");
                        float[] acc = start.clone();
                        Elementwise.columnSums(x, 5, rows, cols, acc, 3, true);
                        float[] added = start.clone();
                        for (int j = 0; j < cols; j++) added[3 + j] = start[3 + j] + sum0[j];
                        assertArrayEquals(added, acc, what + ": added to what was there");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
