package dev.depth.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kernels in use against the scalar oracle with the same tile. */
class FloatKernelsTest {
    private final FloatKernels fast = Simd.kernels();
    private final ScalarFloatKernels oracle = new ScalarFloatKernels(fast.tileRows(), fast.tileCols());
    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 17, 31, 33, 64, 1023};

    static float[] random(int n, long seed) {
        var r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 4 - 2;
        return x;
    }

    /** Surefire adds the incubator module, so on an x86-64 machine with AVX2 or AVX-512 this is the vector path. */
    @Test
    void describesItself() {
        String d = Simd.describe();
        assertFalse(d.isBlank());
        assertTrue(Simd.vectorized() == d.startsWith("SIMD"), d);
    }

    @Test
    void gemmTileIsBitIdenticalToTheOracle() {
        int mr = fast.tileRows(), nr = fast.tileCols();
        for (int kc : new int[] {1, 2, 7, 256}) {
            float[] ap = random(kc * mr + 3, kc), bp = random(kc * nr + 5, kc + 1);
            for (float[] ab : new float[][] {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}}) {
                int ldc = nr + 3;
                float[] c1 = random(2 + mr * ldc, 9), c2 = c1.clone();
                if (ab[1] == 0f) { java.util.Arrays.fill(c1, Float.NaN); java.util.Arrays.fill(c2, Float.NaN); }
                fast.gemmTile(kc, ap, 3, bp, 5, ab[0], ab[1], c1, 2, ldc);
                oracle.gemmTile(kc, ap, 3, bp, 5, ab[0], ab[1], c2, 2, ldc);
                // Lanes outside the tile (row padding) must be untouched, and NaN ignored for beta == 0.
                assertArrayEquals(c2, c1, "kc=" + kc + " alpha=" + ab[0] + " beta=" + ab[1]);
            }
        }
    }

    /** Rows of A read in place: the same bits as the oracle, and as the packed tile on those rows packed. */
    @Test
    void gemmTileRowsIsBitIdenticalToTheOracleAndToThePackedTile() {
        int mr = fast.tileRows(), nr = fast.tileCols();
        for (int kc : new int[] {1, 2, 7, 17, 256, 513}) {
            for (int lda : new int[] {kc, kc + 3, 2 * kc + 1}) {
                float[] a = random(5 + mr * lda, kc + lda), bp = random(kc * nr + 5, kc + 1), bias = random(nr + 4, kc + 2);
                float[] ap = new float[3 + kc * mr]; // the rows packed: row r, column p at 3 + p*mr + r
                for (int r = 0; r < mr; r++) for (int p = 0; p < kc; p++) ap[3 + p * mr + r] = a[5 + r * lda + p];
                for (float[] ab : new float[][] {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}}) {
                    int ldc = nr + 3;
                    String where = "kc=" + kc + " lda=" + lda + " alpha=" + ab[0] + " beta=" + ab[1];
                    float[] c1 = random(2 + mr * ldc, 9), c2 = c1.clone(), c3 = c1.clone();
                    fast.gemmTileRows(kc, a, 5, lda, bp, 5, ab[0], ab[1], null, 0, c1, 2, ldc, false);
                    oracle.gemmTileRows(kc, a, 5, lda, bp, 5, ab[0], ab[1], null, 0, c2, 2, ldc, false);
                    fast.gemmTile(kc, ap, 3, bp, 5, ab[0], ab[1], c3, 2, ldc);
                    assertArrayEquals(c2, c1, where);
                    assertArrayEquals(c3, c1, "as the packed tile: " + where);
                    for (boolean relu : new boolean[] {false, true}) { // with a bias (beta unused)
                        float[] b1 = random(2 + mr * ldc, 10), b2 = b1.clone(), b3 = b1.clone();
                        fast.gemmTileRows(kc, a, 5, lda, bp, 5, ab[0], ab[1], bias, 4, b1, 2, ldc, relu);
                        oracle.gemmTileRows(kc, a, 5, lda, bp, 5, ab[0], ab[1], bias, 4, b2, 2, ldc, relu);
                        fast.gemmTileBias(kc, ap, 3, bp, 5, ab[0], bias, 4, b3, 2, ldc, relu);
                        assertArrayEquals(b2, b1, "bias, relu=" + relu + " " + where);
                        assertArrayEquals(b3, b1, "as the packed tile with a bias, relu=" + relu + " " + where);
                    }
                }
            }
        }
    }

    @Test
    void gemmTileBiasIsBitIdenticalToTheOracleAndToATileOnTheBias() {
        int mr = fast.tileRows(), nr = fast.tileCols();
        for (int kc : new int[] {1, 2, 7, 17, 256}) {
            float[] ap = random(kc * mr + 3, kc), bp = random(kc * nr + 5, kc + 1), bias = random(nr + 4, kc + 2);
            for (float alpha : new float[] {1f, 0.5f, -2f}) {
                int ldc = nr + 3;
                float[] c1 = random(2 + mr * ldc, 9), c2 = c1.clone(), c3 = c1.clone();
                for (int r = 0; r < mr; r++) { // C's previous content is ignored, NaN included
                    java.util.Arrays.fill(c1, 2 + r * ldc, 2 + r * ldc + nr, Float.NaN);
                    java.util.Arrays.fill(c2, 2 + r * ldc, 2 + r * ldc + nr, Float.NaN);
                }
                float[] r1 = c1.clone(), r2 = c1.clone();
                fast.gemmTileBias(kc, ap, 3, bp, 5, alpha, bias, 4, c1, 2, ldc, false);
                oracle.gemmTileBias(kc, ap, 3, bp, 5, alpha, bias, 4, c2, 2, ldc, false);
                for (int r = 0; r < mr; r++) System.arraycopy(bias, 4, c3, 2 + r * ldc, nr);
                fast.gemmTile(kc, ap, 3, bp, 5, alpha, 1f, c3, 2, ldc);
                String where = "kc=" + kc + " alpha=" + alpha;
                assertArrayEquals(c2, c1, where); // lanes outside the tile (row padding) untouched
                assertArrayEquals(c3, c1, "the same bits as the tile on a C that holds the bias: " + where);
                // with the ReLU: the same bits as the tile followed by relu() on each row
                fast.gemmTileBias(kc, ap, 3, bp, 5, alpha, bias, 4, r1, 2, ldc, true);
                oracle.gemmTileBias(kc, ap, 3, bp, 5, alpha, bias, 4, r2, 2, ldc, true);
                for (int r = 0; r < mr; r++) fast.relu(c3, 2 + r * ldc, c3, 2 + r * ldc, nr);
                assertArrayEquals(r2, r1, "relu " + where);
                assertArrayEquals(c3, r1, "relu: the same bits as the tile, then relu(): " + where);
                boolean clampedSome = false;
                for (int r = 0; r < mr; r++) {
                    for (int j = 0, i = 2 + r * ldc; j < nr; j++, i++) {
                        if (c1[i] < 0f) {
                            clampedSome = true;
                            assertEquals(0f, r1[i], 0f);
                        }
                    }
                }
                assertTrue(clampedSome, "the test's tiles have negative values to clamp: " + where);
            }
        }
    }

    /** The scalar default tile (unrolled 4 x 4) against the definition written as plain loops. */
    @Test
    void scalarDefaultTileMatchesItsDefinition() {
        var scalar = new ScalarFloatKernels();
        int mr = scalar.tileRows(), nr = scalar.tileCols(), kc = 37, ldc = nr + 2;
        float[] ap = random(kc * mr, 1), bp = random(kc * nr, 2);
        for (float beta : new float[] {0f, 0.75f}) {
            float[] c = random(mr * ldc, 3), expected = c.clone();
            for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) {
                    float acc = 0f;
                    for (int p = 0; p < kc; p++) acc = Math.fma(ap[p * mr + r], bp[p * nr + j], acc);
                    float x = 1.25f * acc;
                    expected[r * ldc + j] = beta == 0f ? x : Math.fma(expected[r * ldc + j], beta, x);
                }
            }
            scalar.gemmTile(kc, ap, 0, bp, 0, 1.25f, beta, c, 0, ldc);
            assertArrayEquals(expected, c, "beta=" + beta);
        }
    }

    @Test
    void arithmeticIsBitIdenticalToTheOracle() {
        for (int n : LENGTHS) {
            float[] a = random(n + 3, n), b = random(n + 2, n + 100);
            b[1] = 0f; // a division by zero
            for (var op : FloatKernels.Arith.values()) {
                float[] o1 = new float[n + 1], o2 = new float[n + 1];
                fast.arith(op, a, 3, b, 2, o1, 1, n);
                oracle.arith(op, a, 3, b, 2, o2, 1, n);
                assertArrayEquals(o2, o1, op + " n=" + n);
                fast.arith(op, a, 3, 1.7f, o1, 1, n);
                oracle.arith(op, a, 3, 1.7f, o2, 1, n);
                assertArrayEquals(o2, o1, op + " scalar right, n=" + n);
                fast.arith(op, -0.3f, b, 2, o1, 1, n);
                oracle.arith(op, -0.3f, b, 2, o2, 1, n);
                assertArrayEquals(o2, o1, op + " scalar left, n=" + n);
            }
        }
    }

    @Test
    void columnSumsAreBitIdenticalToTheOracleAndSumEachColumnInRowOrder() {
        for (int rows : new int[] {0, 1, 2, 7, 128}) {
            for (int n : LENGTHS) {
                int ldx = n + 5, xo = 3;
                float[] x = random(xo + Math.max(0, rows - 1) * ldx + n + 2, 17L * rows + n);
                for (int i = 0; i < x.length; i += 11) x[i] = i % 2 == 0 ? -0f : 1e30f; // signed zeros, large terms
                float[] o1 = random(n + 4, 1), o2 = o1.clone();
                fast.columnSums(x, xo, rows, ldx, o1, 2, n);
                oracle.columnSums(x, xo, rows, ldx, o2, 2, n);
                String what = rows + " x " + n;
                assertArrayEquals(o2, o1, what);
                for (int j = 0; j < n; j++) { // the oracle itself: a running float sum from row 0
                    float acc = rows == 0 ? 0f : x[xo + j];
                    for (int r = 1; r < rows; r++) acc += x[xo + r * ldx + j];
                    assertEquals(Float.floatToRawIntBits(acc), Float.floatToRawIntBits(o2[2 + j]), what + ", column " + j);
                }
                float[] untouched = random(n + 4, 1);
                assertEquals(untouched[0], o1[0]);
                assertEquals(untouched[1], o1[1]);
                assertEquals(untouched[n + 2], o1[n + 2]);
                assertEquals(untouched[n + 3], o1[n + 3]);
            }
        }
    }

    @Test
    void reluAndItsBackwardAreBitIdenticalIncludingNaNAndSignedZero() {
        for (int n : LENGTHS) {
            float[] x = random(n + 1, n), g = random(n, n + 7);
            for (int i = 0; i < n; i += 5) x[1 + i] = i % 3 == 0 ? Float.NaN : (i % 3 == 1 ? -0f : 0f);
            float[] o1 = new float[n], o2 = new float[n];
            fast.relu(x, 1, o1, 0, n);
            oracle.relu(x, 1, o2, 0, n);
            assertArrayEquals(o2, o1, "relu n=" + n);
            fast.reluBackward(x, 1, g, 0, o1, 0, n);
            oracle.reluBackward(x, 1, g, 0, o2, 0, n);
            assertArrayEquals(o2, o1, "reluBackward n=" + n);
        }
    }

    @Test
    void copyBlockCopiesExactlyTheBlock() {
        int l = fast.tileCols() / 2; // the vector length
        for (int width : new int[] {1, 7, 8, l / 2, l, l + 1, 2 * l, 2 * l + 3, 33}) {
            for (int rows : new int[] {0, 1, 7, 17}) {
                int lds = width + 5, ldd = width + 2;
                float[] src = random(3 + rows * lds + width, width * 31L + rows);
                float[] d1 = new float[4 + rows * ldd + width], d2 = new float[d1.length];
                java.util.Arrays.fill(d1, -7f);
                java.util.Arrays.fill(d2, -7f);
                float[] before = d1.clone();
                fast.copyBlock(src, 3, lds, rows, width, d1, 4, ldd);
                oracle.copyBlock(src, 3, lds, rows, width, d2, 4, ldd);
                assertArrayEquals(d2, d1, "copyBlock width=" + width + " rows=" + rows);
                if (simd()) { // the vector copy even where this JDK's kernels copy row by row
                    float[] d3 = before.clone();
                    VectorFloatKernels.copyBlockSimd(src, 3, lds, rows, width, d3, 4, ldd);
                    assertArrayEquals(d2, d3, "SIMD copyBlock width=" + width + " rows=" + rows);
                }
                for (int p = 0; p < rows; p++)
                    for (int j = 0; j < ldd; j++)
                        assertEquals(j < width ? src[3 + p * lds + j] : -7f, d1[4 + p * ldd + j], "width=" + width + " (" + p + ", " + j + ")");
            }
        }
    }

    @Test
    void unsignedBytesToFloatIsBitIdenticalToTheOracleForEveryByte() {
        byte[] all = new byte[1023 + 3];
        for (int i = 0; i < all.length; i++) all[i] = (byte) (i * 37 + 11); // every value 0..255, in a scrambled order
        for (float divisor : new float[] {255f, 1f, 3.7f, 1e-3f}) {
            for (int n : LENGTHS) {
                float[] o1 = new float[n + 2], o2 = new float[n + 2];
                fast.unsignedBytesToFloat(all, 3, divisor, o1, 1, n);
                oracle.unsignedBytesToFloat(all, 3, divisor, o2, 1, n);
                assertArrayEquals(o2, o1, "unsignedBytesToFloat n=" + n + " divisor=" + divisor);
                for (int i = 0; i < n; i++) assertEquals((all[3 + i] & 0xFF) / divisor, o1[1 + i], "element " + i);
                assertEquals(0f, o1[0]); // outside the range: untouched
                assertEquals(0f, o1[n + 1]);
            }
        }
    }

    @Test
    void maxPoolIsBitIdenticalToTheOracle() {
        int w = 13;
        float[] x = random(20 * w, 4);
        for (int i = 0; i < x.length; i++) x[i] = Math.round(x[i]); // ties
        for (int i = 3; i < x.length; i += 17) x[i] = Float.NaN;
        for (int i = 8; i < x.length; i += 23) x[i] = -0f;
        int n = 37;
        int[] first = new int[n + 2];
        for (int t = 0; t < n + 2; t++) first[t] = (t / 6) * 2 * w + (t % 6) * 2;
        float[] o1 = new float[n + 1], o2 = new float[n + 1];
        int[] a1 = new int[n + 1], a2 = new int[n + 1];
        fast.maxPool2x2(x, 1, w, first, 2, o1, 1, a1, n);
        oracle.maxPool2x2(x, 1, w, first, 2, o2, 1, a2, n);
        assertArrayEquals(o2, o1);
        assertArrayEquals(a2, a1);
    }

    @Test
    void stride2MaxPoolIsBitIdenticalToTheOracle() {
        for (int ow : new int[] {1, 7, 8, 9, 14, 17, 1023}) {
            for (int extra : new int[] {0, 1}) { // odd and even widths
                int w = 2 * ow + extra, oh = 3, rows = 2 * oh + extra;
                // the plane ends the array (the vector loads must stop short of its end) and starts at 2
                float[] x = random(2 + rows * w, ow + extra);
                for (int i = 0; i < x.length; i++) x[i] = Math.round(x[i]); // ties
                for (int i = 3; i < x.length; i += 17) x[i] = Float.NaN;
                for (int i = 8; i < x.length; i += 23) x[i] = -0f;
                float[] o1 = new float[oh * ow + 1], o2 = new float[oh * ow + 1];
                int[] a1 = new int[oh * ow + 1], a2 = new int[oh * ow + 1];
                fast.maxPool2x2Stride2(x, 2, w, oh, ow, o1, 1, a1);
                oracle.maxPool2x2Stride2(x, 2, w, oh, ow, o2, 1, a2);
                assertArrayEquals(o2, o1, "ow=" + ow + " w=" + w);
                assertArrayEquals(a2, a1, "ow=" + ow + " w=" + w);
                // and the same windows through the general kernel
                int[] first = new int[oh * ow];
                for (int t = 0; t < first.length; t++) first[t] = (t / ow) * 2 * w + (t % ow) * 2;
                float[] o3 = new float[oh * ow + 1];
                int[] a3 = new int[oh * ow + 1];
                oracle.maxPool2x2(x, 2, w, first, 0, o3, 1, a3, oh * ow);
                assertArrayEquals(o3, o2, "general ow=" + ow + " w=" + w);
                assertArrayEquals(a3, a2, "general ow=" + ow + " w=" + w);
            }
        }
    }

    @Test
    void reductionsAndTranscendentalsAreClose() {
        for (int n : LENGTHS) {
            float[] a = random(n + 1, n), b = random(n, n + 1);
            assertEquals(oracle.dot(a, 1, b, 0, n), fast.dot(a, 1, b, 0, n), 1e-5 * n + 1e-6, "dot n=" + n);
            assertEquals(oracle.sum(a, 1, n), fast.sum(a, 1, n), 1e-5 * n + 1e-6, "sum n=" + n);
            float[] y1 = b.clone(), y2 = b.clone();
            fast.axpy(0.7f, a, 1, y1, 0, n);
            oracle.axpy(0.7f, a, 1, y2, 0, n);
            assertArrayEquals(y2, y1, "axpy n=" + n);
            float[] e1 = new float[n], e2 = new float[n];
            fast.exp(a, 1, e1, 0, n);
            oracle.exp(a, 1, e2, 0, n);
            for (int i = 0; i < n; i++) assertEquals(e2[i], e1[i], 4 * Math.ulp(e2[i]), "exp n=" + n + " i=" + i);
            fast.tanh(a, 1, e1, 0, n);
            oracle.tanh(a, 1, e2, 0, n);
            for (int i = 0; i < n; i++) assertEquals(e2[i], e1[i], 4 * Math.ulp(e2[i]), "tanh n=" + n + " i=" + i);
            fast.sigmoid(a, 1, e1, 0, n);
            oracle.sigmoid(a, 1, e2, 0, n);
            for (int i = 0; i < n; i++) assertEquals(e2[i], e1[i], 4 * Math.ulp(e2[i]), "sigmoid n=" + n + " i=" + i);
        }
    }

    @Test
    void geluAndItsGradientAreCloseToTheDoublePrecisionReference() {
        for (int n : LENGTHS) {
            float[] x = random(n + 3, n + 7), g = random(n + 2, n + 8);
            for (int i = 0; i < n; i++) x[i + 3] *= 3f; // [-6, 6]: both tails
            float[] y1 = new float[n + 1], y2 = new float[n + 1], d1 = new float[n], d2 = new float[n];
            fast.gelu(x, 3, y1, 1, n);
            oracle.gelu(x, 3, y2, 1, n);
            fast.geluBackward(x, 3, g, 2, d1, 0, n);
            oracle.geluBackward(x, 3, g, 2, d2, 0, n);
            for (int i = 0; i < n; i++) {
                float v = x[3 + i];
                assertEquals(y2[i + 1], y1[i + 1], 4e-7 * Math.max(1, Math.abs(v)), "gelu(" + v + ") n=" + n);
                assertEquals(d2[i], d1[i], 4e-7 * Math.max(1, Math.abs(v)) * Math.abs(g[2 + i]) + 1e-30, "gelu'(" + v + ") n=" + n);
            }
        }
        float[] special = {0f, -0f, Float.NaN, 30f, -30f, Float.POSITIVE_INFINITY, 1e-20f, -1e-20f, 5.5f, -5.5f, 0.3f, -0.3f, 2f, -2f, 1f, -1f, 8f};
        float[] y1 = new float[special.length], y2 = new float[special.length];
        fast.gelu(special, 0, y1, 0, special.length);
        oracle.gelu(special, 0, y2, 0, special.length);
        for (int i = 0; i < special.length; i++) {
            if (Float.isNaN(special[i])) assertTrue(Float.isNaN(y1[i]), "gelu(NaN)");
            else assertEquals(y2[i], y1[i], 4e-7 * Math.max(1, Math.abs(special[i])), "gelu(" + special[i] + ")");
        }
        // Phi(-5.5) = 1.899e-8: the left tail keeps its relative precision (no 1 - erf cancellation; A&S 7.1.26 is within 0.3% there)
        assertEquals(-5.5 * 1.8989562465887e-8, y1[9], 5e-3 * 5.5 * 1.9e-8);
    }

    @Test
    void layerNormRowsAreCloseToTheOracle() {
        for (int n : new int[] {1, 2, 7, 16, 17, 33, 128, 1023}) {
            float[] x = random(n + 5, n), w = random(n, n + 1), b = random(n, n + 2), g = random(n + 4, n + 3);
            for (int i = 0; i < n; i++) x[5 + i] = x[5 + i] * 3 + 10; // an offset the two-pass variance must not mind
            for (boolean affine : new boolean[] {true, false}) {
                float[] ww = affine ? w : null, bb = affine ? b : null;
                float[] y1 = new float[n + 2], y2 = new float[n + 2], s1 = new float[4], s2 = new float[4];
                fast.layerNormRow(x, 5, n, 1e-5f, ww, bb, y1, 2, s1, 1);
                oracle.layerNormRow(x, 5, n, 1e-5f, ww, bb, y2, 2, s2, 1);
                assertEquals(s2[1], s1[1], 1e-5 * Math.abs(s2[1]) + 1e-6, "mean n=" + n);
                assertEquals(s2[2], s1[2], 1e-4 * Math.abs(s2[2]), "rstd n=" + n);
                for (int i = 0; i < n + 2; i++) assertEquals(y2[i], y1[i], 1e-4, "layerNorm n=" + n + " i=" + i);
                float[] dx1 = new float[n + 1], dx2 = new float[n + 1];
                float[] gw1 = affine ? random(n, 5) : null, gw2 = affine ? gw1.clone() : null;
                float[] gb1 = affine ? random(n, 6) : null, gb2 = affine ? gb1.clone() : null;
                fast.layerNormRowBackward(x, 5, g, 4, n, s2[1], s2[2], ww, dx1, 1, gw1, gb1);
                oracle.layerNormRowBackward(x, 5, g, 4, n, s2[1], s2[2], ww, dx2, 1, gw2, gb2);
                for (int i = 0; i < n + 1; i++) assertEquals(dx2[i], dx1[i], 1e-4, "layerNorm dx n=" + n + " i=" + i);
                if (affine) {
                    for (int i = 0; i < n; i++) assertEquals(gw2[i], gw1[i], 1e-5, "layerNorm gw n=" + n);
                    assertArrayEquals(gb2, gb1, "layerNorm gb n=" + n);
                }
            }
        }
    }

    // ---- dotRows ---------------------------------------------------------------------------------

    /** dotRows against the oracle on odd shapes, with offsets, padded rows and every alpha/beta form. */
    @Test
    void dotRowsMatchesTheOracle() {
        int[] rowCounts = {0, 1, 3, 4, 5, 7, 8, 9, 12, 17, 33};
        int[] depths = {0, 1, 7, 15, 16, 17, 31, 33, 64, 784, 1023};
        for (int rows : rowCounts) {
            for (int k : depths) {
                int ldw = k + 3, wOff = 5, xo = 2, yo = 1;
                float[] w = random(wOff + rows * ldw, rows * 31L + k), x = random(xo + k + 1, k + 7L);
                for (float[] ab : new float[][] {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}}) {
                    float[] y1 = random(yo + rows + 2, rows), y2 = y1.clone();
                    if (ab[1] == 0f) { java.util.Arrays.fill(y1, Float.NaN); java.util.Arrays.fill(y2, Float.NaN); }
                    fast.dotRows(rows, k, w, wOff, ldw, x, xo, ab[0], ab[1], y1, yo);
                    oracle.dotRows(rows, k, w, wOff, ldw, x, xo, ab[0], ab[1], y2, yo);
                    for (int j = 0; j < rows; j++) {
                        double absSum = 0;
                        for (int p = 0; p < k; p++) absSum += Math.abs(w[wOff + j * ldw + p] * x[xo + p]);
                        double tol = 1e-5 * (Math.abs(ab[0]) * absSum + Math.abs(ab[1]) * 2) + 1e-6;
                        assertEquals(y2[yo + j], y1[yo + j], tol, "rows=" + rows + " k=" + k + " alpha=" + ab[0] + " beta=" + ab[1] + " row " + j);
                    }
                    // Outside the rows written: untouched.
                    assertEquals(y2[0], y1[0], 0f);
                    for (int j = yo + rows; j < y1.length; j++) assertEquals(y2[j], y1[j], 0f, "past the rows, rows=" + rows + " k=" + k);
                }
            }
        }
    }

    /** The JDK switches are read after Simd has loaded the kernels (a class-initialisation cycle would leave them false). */
    @Test
    void theJdkSwitchesFollowTheJdk() {
        boolean full = Runtime.version().feature() >= 25;
        assertEquals(full, FullC2.YES);
        if (simd()) {
            assertEquals(full, VectorFloatKernels.TWO_VECTOR_REARRANGE);
            assertEquals(full, VectorFloatKernels.VECTOR_COPY);
            assertEquals(full && fast.tileCols() == 32, VectorFloatKernels.TILE8);
            assertEquals(full, VectorAttentionKernels.FULL_API);
        }
    }

    @Test
    void transposeRows8IsBitIdenticalToTheOracle() {
        for (int kc : new int[] {1, 7, 8, 15, 16, 17, 31, 33, 256, 1023}) {
            int lds = kc + 5;
            float[] src = random(3 + 8 * lds, kc), d1 = random(8 * kc + 4, 1), d2 = d1.clone();
            fast.transposeRows8(src, 3, lds, kc, d1, 2);
            oracle.transposeRows8(src, 3, lds, kc, d2, 2);
            assertArrayEquals(d2, d1, "kc=" + kc);
            for (int p = 0; p < kc; p++) for (int r = 0; r < 8; r++) assertEquals(src[3 + r * lds + p], d1[2 + p * 8 + r], "kc=" + kc);
        }
    }

    @Test
    void stridedTransposeRows8IsBitIdenticalToTheOracleAndLeavesTheRestAlone() {
        checkStridedTranspose(8, 1, new int[] {8, 9, 16, 24, 32, 33}, new int[] {1, 7, 15, 16, 17, 33, 256, 1023},
                fast::transposeRows8, oracle::transposeRows8, simd() ? VectorFloatKernels::transposeRows8Simd : null);
        assertThrows(IllegalArgumentException.class, () -> fast.transposeRows8(new float[64], 0, 8, 8, new float[64], 0, 7));
    }

    @Test
    void transposeRows16IsBitIdenticalToTheOracleAndLeavesTheRestAlone() {
        checkStridedTranspose(16, 2, new int[] {16, 17, 32, 33}, new int[] {1, 7, 15, 16, 17, 31, 33, 256, 1023},
                fast::transposeRows16, oracle::transposeRows16,
                simd() && VectorFloatKernels.L == 16 ? VectorFloatKernels::transposeRows16Simd : null);
        assertThrows(IllegalArgumentException.class, () -> fast.transposeRows16(new float[512], 0, 16, 16, new float[512], 0, 15));
        assertThrows(IllegalArgumentException.class, () -> oracle.transposeRows16(new float[512], 0, 16, 16, new float[512], 0, 8));
    }

    /** A transpose of {@code rows} rows into a panel: dst[d + p*ldd + r] = src[s + r*lds + p]. */
    private interface StridedTranspose {
        void run(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd);
    }

    /**
     * The kernel against the oracle (and the SIMD transpose, where given, even where this JDK's kernels use another)
     * bit for bit, and every float of the panel against its definition: the transposed values, the rest untouched.
     */
    private static void checkStridedTranspose(int rows, int s, int[] ldds, int[] kcs, StridedTranspose kernel, StridedTranspose reference,
                                              StridedTranspose simdOrNull) {
        for (int ldd : ldds) {
            for (int kc : kcs) {
                int lds = kc + 3;
                float[] src = random(s + rows * lds, kc + ldd), d1 = random(5 + kc * ldd, ldd), d2 = d1.clone(), before = d1.clone();
                kernel.run(src, s, lds, kc, d1, 5, ldd);
                reference.run(src, s, lds, kc, d2, 5, ldd);
                assertArrayEquals(d2, d1, "rows=" + rows + " ldd=" + ldd + " kc=" + kc);
                if (simdOrNull != null) {
                    float[] d3 = before.clone();
                    simdOrNull.run(src, s, lds, kc, d3, 5, ldd);
                    assertArrayEquals(d2, d3, "SIMD rows=" + rows + " ldd=" + ldd + " kc=" + kc);
                }
                for (int i = 0; i < d1.length; i++) {
                    int q = i - 5, p = Math.floorDiv(q, ldd), r = Math.floorMod(q, ldd);
                    float expected = q >= 0 && p < kc && r < rows ? src[s + r * lds + p] : before[i];
                    assertEquals(expected, d1[i], 0f, "rows=" + rows + " ldd=" + ldd + " kc=" + kc + " i=" + i);
                }
            }
        }
    }

    private boolean simd() {
        return fast.getClass().getSimpleName().equals("VectorFloatKernels");
    }

    /** The oracle's dotRows is the definition: one sequential FMA chain per row, then the merge. */
    @Test
    void scalarDotRowsMatchesItsDefinition() {
        int rows = 5, k = 37;
        float[] w = random(rows * k, 1), x = random(k, 2), y = random(rows, 3), expected = y.clone();
        for (int j = 0; j < rows; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s = Math.fma(w[j * k + p], x[p], s);
            expected[j] = Math.fma(expected[j], 0.5f, 1.5f * s);
        }
        oracle.dotRows(rows, k, w, 0, k, x, 0, 1.5f, 0.5f, y, 0);
        assertArrayEquals(expected, y);
    }

    /**
     * A row's result does not depend on the rows computed with it (groups of 8, of 4 or alone), so
     * splitting the rows between calls or threads never changes a bit.
     */
    @Test
    void dotRowsIsBitIdenticalWhateverTheGrouping() {
        for (int k : new int[] {1, 15, 16, 17, 100, 784}) {
            int rows = 23;
            float[] w = random(rows * k, k), x = random(k, k + 1L);
            float[] all = new float[rows], alone = new float[rows], split = new float[rows];
            fast.dotRows(rows, k, w, 0, k, x, 0, 1f, 0f, all, 0);
            for (int j = 0; j < rows; j++) fast.dotRows(1, k, w, j * k, k, x, 0, 1f, 0f, alone, j);
            fast.dotRows(5, k, w, 0, k, x, 0, 1f, 0f, split, 0);
            fast.dotRows(rows - 5, k, w, 5 * k, k, x, 0, 1f, 0f, split, 5);
            assertArrayEquals(alone, all, "k=" + k);
            assertArrayEquals(alone, split, "k=" + k);
        }
    }
}
