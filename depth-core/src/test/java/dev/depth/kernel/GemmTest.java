package dev.depth.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Gemm#sgemm} against {@link Gemm#reference} on shapes that reach every path. */
class GemmTest {
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 7, 17}, {7, 1, 17}, {7, 17, 1}, {2, 100, 50}, {17, 7, 33}, {16, 16, 16},
            {33, 65, 300}, {100, 9, 600}, {13, 1100, 40}, {6, 32, 256}, {1023, 37, 70}, {130, 70, 513},
            {3, 64, 64}, {1, 300, 1000}, {300, 1, 1000}, {20, 25, 300}, {64, 9, 784},
            // few columns: C^T computed into the per-thread scratch and transposed back
            {128, 10, 256}, {300, 10, 128}, {1024, 4, 255},
            // k in several equal blocks (KC = 1024): 2 of 515, 3 of 834
            {130, 200, 1030}, {70, 90, 2500},
            // a tall block of C: B in blocks of 2 NC columns
            {600, 2200, 33},
            // tails in every dimension, column blocks wider than NC
            {130, 200, 513}, {9, 700, 300}, {300, 129, 1000}, {20, 5000, 30},
            {150, 700, 600}, // a block of B over B_BLOCK_IN_L2_MAX (600 x 512): the panels of A go past each panel of B
            {512, 784, 128}}; // a shallow B wider than NC in one block of columns (SHALLOW_B_MAX): W2's first weight gradient

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    static float[] random(int n, Random r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    /** One sgemm call with padded strides and offsets, checked against the reference. */
    static void check(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, long seed) {
        var r = new Random(seed);
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + 3, ldb = bCols + 1, ldc = n + 5, aOff = 2, bOff = 5, cOff = 7;
        float[] a = random(aOff + aRows * lda, r), b = random(bOff + bRows * ldb, r);
        float[] c = random(cOff + m * ldc, r);
        if (beta == 0f) java.util.Arrays.fill(c, Float.NaN);
        float[] expected = c.clone();
        Gemm.reference(ta, tb, 0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double absSum = 0;
                for (int p = 0; p < k; p++) {
                    float av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    absSum += Math.abs(av * bv);
                }
                double tol = 1e-5 * (Math.abs(alpha) * absSum + Math.abs(beta)) + 1e-6;
                int ci = cOff + i * ldc + j;
                String where = String.format("ta=%b tb=%b m=%d n=%d k=%d alpha=%s beta=%s at (%d,%d)", ta, tb, m, n, k, alpha, beta, i, j);
                assertEquals(expected[ci], c[ci], tol, where);
            }
            // Padding between rows of C is untouched.
            for (int j = n; j < ldc && i < m - 1; j++) assertEquals(expected[cOff + i * ldc + j], c[cOff + i * ldc + j], 0f);
        }
    }

    @Test
    void allTransposeFormsAndShapesMatchReference() {
        long seed = 1;
        for (int[] s : SHAPES) {
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                check(ta, tb, s[0], s[1], s[2], 1f, 0f, seed++);
                check(ta, tb, s[0], s[1], s[2], 0.5f, -1.5f, seed++);
            }
        }
    }

    @Test
    void singleThreadMatchesReferenceToo() {
        Parallel.setThreads(1);
        check(false, false, 130, 70, 513, 1f, 1f, 42);
        check(true, true, 1, 300, 1000, 2f, 0f, 43);
    }

    @Test
    void zeroSizes() {
        float[] c = {Float.NaN, 1f, 2f};
        Gemm.sgemm(false, false, 1, 3, 0, 1f, new float[0], 0, 1, new float[0], 0, 3, 0f, c, 0, 3);
        assertArrayEquals(new float[] {0f, 0f, 0f}, c);
        c = new float[] {1f, 2f};
        Gemm.sgemm(false, false, 1, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 2f, c, 0, 2);
        assertArrayEquals(new float[] {2f, 4f}, c);
        Gemm.sgemm(false, false, 0, 5, 5, 1f, new float[0], 0, 5, new float[25], 0, 5, 0f, new float[0], 0, 5);
    }

    @Test
    void resultsAreBitIdenticalForTheSameAndOtherThreadCounts() {
        var r = new Random(7);
        for (int[] s : new int[][] {{257, 300, 700}, {1, 4000, 300}, {4000, 1, 300}, {300, 9, 2000}, {32, 9, 5000}, {40, 40, 40}, {64, 2100, 300}, {150, 700, 600}}) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = random(m * k, r), b = random(k * n, r);
            float[][] results = new float[3][];
            int[] threads = {2, 2, 1};
            for (int t = 0; t < 3; t++) {
                Parallel.setThreads(threads[t]);
                results[t] = new float[m * n];
                Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, results[t], 0, n);
            }
            assertArrayEquals(results[0], results[1], "same thread count, " + m + "x" + n + "x" + k);
            assertArrayEquals(results[0], results[2], "1 vs 2 threads, " + m + "x" + n + "x" + k);
        }
    }

    /**
     * Short, wide products (a layer's forward pass and input gradient over a batch: the threads
     * split the columns) in all four forms, with odd sizes, k = 1 and k = KC: the bits of one
     * thread on two and three threads, and the reference within rounding.
     */
    @Test
    void shortWideProductsAreBitIdenticalOnAnyThreadCount() {
        var r = new Random(11);
        for (int[] s : new int[][] {{45, 333, 1}, {128, 512, 784}, {7, 200, Gemm.KC}, {100, 130, 17}, {128, 96, 64}, {9, 1000, 33}}) {
            int m = s[0], n = s[1], k = s[2];
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                float[] a = random(m * k, r), b = random(k * n, r), c0 = random(m * n, r);
                float[] expected = null;
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    float[] c = c0.clone();
                    Gemm.sgemm(ta, tb, m, n, k, 0.5f, a, 0, ta ? m : k, b, 0, tb ? k : n, -1.5f, c, 0, n);
                    if (expected == null) expected = c;
                    else assertArrayEquals(expected, c, threads + " threads, form " + form + ", " + m + "x" + n + "x" + k);
                }
                check(ta, tb, m, n, k, 1f, 0f, r.nextLong());
            }
        }
    }

    @Test
    void threadGridStaysWithinThreadsAndPanels() {
        for (int t = 1; t <= 8; t++) {
            for (int[] p : new int[][] {{1, 1}, {1, 50}, {50, 1}, {3, 3}, {100, 100}}) {
                int[] g = Gemm.grid(t, p[0], p[1], 100);
                assertTrue(g[0] * g[1] <= t && g[0] <= p[0] && g[1] <= p[1], t + " threads, panels " + p[0] + "x" + p[1]);
            }
        }
    }

    // ---- linear: bias and ReLU fused --------------------------------------------------------------

    /** Gemm.linear is sgemm(A, B^T) onto the bias, then ReLU: bit-identical to those two steps, on shapes that reach every path. */
    @Test
    void linearIsTheProductOnTheBiasThenReluBitForBit() {
        int[][] shapes = {{1, 1, 1}, {1, 512, 784}, {1, 10, 256}, {1, 7, 17}, {2, 33, 65}, {3, 9, 600}, {5, 1, 40}, {17, 33, 7},
                {64, 128, 300}, {128, 512, 784}, {256, 10, 256}, {100, 9, 600}, {20, 1100, 30},
                {40, 70, 2100}, {9, 64, 1500}, // k in several blocks: the bias goes with the first
                {150, 700, 600}, {150, 600, 1500}}; // blocks of B over B_BLOCK_IN_L2_MAX, in one k block and in two
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            long seed = 3;
            for (int[] s : shapes) {
                int rows = s[0], out = s[1], in = s[2];
                for (boolean withBias : new boolean[] {true, false}) {
                    for (boolean relu : new boolean[] {true, false}) {
                        var r = new Random(seed++);
                        float[] x = random(2 + rows * in, r), w = random(3 + out * in, r), bias = random(1 + out, r);
                        float[] expected = new float[rows * out];
                        if (withBias) for (int i = 0; i < rows; i++) System.arraycopy(bias, 1, expected, i * out, out);
                        Gemm.sgemm(false, true, rows, out, in, 1f, x, 2, in, w, 3, in, withBias ? 1f : 0f, expected, 0, out);
                        if (relu) for (int i = 0; i < expected.length; i++) expected[i] = Math.max(expected[i], 0f);
                        float[] y = new float[rows * out + 4];
                        java.util.Arrays.fill(y, Float.NaN);
                        Gemm.linear(rows, in, out, x, 2, w, 3, withBias ? bias : null, 1, relu, y, 1);
                        String where = "rows=" + rows + " out=" + out + " in=" + in + " bias=" + withBias + " relu=" + relu + " threads=" + threads;
                        assertArrayEquals(expected, java.util.Arrays.copyOfRange(y, 1, 1 + rows * out), where);
                        assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1 + rows * out]), "outside y untouched: " + where);
                        // and against the scalar reference, within rounding
                        float[] ref = new float[rows * out];
                        if (withBias) for (int i = 0; i < rows; i++) System.arraycopy(bias, 1, ref, i * out, out);
                        Gemm.reference(false, true, 0, rows, out, in, 1f, x, 2, in, w, 3, in, withBias ? 1f : 0f, ref, 0, out);
                        for (int i = 0; i < ref.length; i++) {
                            float e = relu ? Math.max(ref[i], 0f) : ref[i];
                            assertEquals(e, y[1 + i], 1e-4 * (1 + Math.abs(e)), where + " at " + i);
                        }
                    }
                }
            }
        }
    }

    /**
     * Gemm.linear on packed weights is Gemm.linear on the weights bit for bit, on every path (one and two
     * rows, few columns, k in several blocks, partial panels), on one and two threads; and it is a snapshot.
     */
    @Test
    void linearOnPackedWeightsIsBitIdenticalAndASnapshot() {
        int[][] shapes = {{1, 1, 1}, {1, 512, 784}, {2, 33, 65}, {3, 9, 600}, {7, 17, 1}, {17, 7, 17}, {17, 33, 7}, {64, 128, 300},
                {128, 512, 784}, {256, 10, 256}, {256, 256, 512}, {100, 9, 600}, {20, 1100, 30}, {40, 70, 2100}, {9, 64, 1500},
                {130, 200, 1030}, {1023, 37, 70}, {600, 2200, 33}, {150, 700, 600}}; // the last over B_BLOCK_IN_L2_MAX on one thread
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            long seed = 11;
            for (int[] s : shapes) {
                int rows = s[0], out = s[1], in = s[2];
                var r = new Random(seed++);
                float[] x = random(2 + rows * in, r), w = random(3 + out * in, r), bias = random(1 + out, r);
                Gemm.PackedWeights pw = Gemm.packWeights(out, in, w, 3);
                assertEquals(out, pw.outFeatures());
                assertEquals(in, pw.inFeatures());
                for (boolean withBias : new boolean[] {true, false}) {
                    for (boolean relu : new boolean[] {true, false}) {
                        String where = "rows=" + rows + " out=" + out + " in=" + in + " bias=" + withBias + " relu=" + relu + " threads=" + threads;
                        float[] expected = new float[rows * out + 2];
                        Gemm.linear(rows, in, out, x, 2, w, 3, withBias ? bias : null, 1, relu, expected, 1);
                        float[] y = new float[rows * out + 2];
                        java.util.Arrays.fill(y, Float.NaN);
                        Gemm.linear(rows, pw, x, 2, withBias ? bias : null, 1, relu, y, 1);
                        assertArrayEquals(java.util.Arrays.copyOfRange(expected, 1, 1 + rows * out), java.util.Arrays.copyOfRange(y, 1, 1 + rows * out), where);
                        assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1 + rows * out]), "outside y untouched: " + where);
                    }
                }
                // a snapshot: the source array changed afterwards does not change the product
                float[] before = new float[rows * out];
                Gemm.linear(rows, pw, x, 2, bias, 1, false, before, 0);
                java.util.Arrays.fill(w, 0f);
                float[] after = new float[rows * out];
                Gemm.linear(rows, pw, x, 2, bias, 1, false, after, 0);
                assertArrayEquals(before, after, "snapshot: rows=" + rows + " out=" + out + " in=" + in);
            }
        }
    }

    @Test
    void packWeightsRejectsBadSizes() {
        float[] w = new float[12];
        var e = assertThrows(IllegalArgumentException.class, () -> Gemm.packWeights(0, 3, w, 0));
        assertTrue(e.getMessage().contains("packWeights"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Gemm.packWeights(4, 3, w, 1));
        assertTrue(e.getMessage().contains("exceed the array's 12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gemm.linear(-1, Gemm.packWeights(4, 3, w, 0), new float[3], 0, null, 0, false, new float[4], 0));
    }

    /** A row-vector product (one sample) gives the same bits whatever the thread count. */
    @Test
    void oneRowProductIsBitIdenticalOnOneAndTwoThreads() {
        var r = new Random(9);
        int out = 515, in = 783;
        float[] x = random(in, r), w = random(out * in, r), bias = random(out, r);
        float[] y1 = new float[out], y2 = new float[out];
        Parallel.setThreads(1);
        Gemm.linear(1, in, out, x, 0, w, 0, bias, 0, true, y1, 0);
        Parallel.setThreads(2);
        Gemm.linear(1, in, out, x, 0, w, 0, bias, 0, true, y2, 0);
        assertArrayEquals(y1, y2);
    }
}
