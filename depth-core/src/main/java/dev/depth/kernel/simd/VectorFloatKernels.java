package dev.depth.kernel.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatKernels} on the Vector API with the preferred species (16 floats on AVX-512, 8 on
 * AVX2). Loaded only through {@link Simd}, which catches every failure to link it.
 *
 * <p>The GEMM tile is MR x (2 vectors): 8 x 32 on AVX-512 (16 accumulators of its 32 registers;
 * measured 5 to 35% faster than 6 x 32 here) from JDK 25 on, 6 x 32 on AVX-512 before ({@link #TILE8}),
 * 6 x 16 on AVX2 (12 of 16). Every loop
 * finishes its tail with the scalar formula of {@link ScalarFloatKernels}, so element-wise
 * results are bit-identical to it.
 */
final class VectorFloatKernels implements FloatKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();
    /** L bytes and L ints: the lanes of {@link #unsignedBytesToFloat}'s widening. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * Byte.SIZE));
    private static final VectorSpecies<Integer> INTS = S.withLanes(int.class);
    /** Half a vector (8 floats with AVX-512): a row of an MR = 8 GEMM panel in {@link #copyBlock}. */
    private static final VectorSpecies<Float> HALF = L >= 8 ? VectorSpecies.of(float.class, VectorShape.forBitSize(L * Float.SIZE / 2)) : null;
    /**
     * 8 rows with 32 vector registers (AVX-512), 6 with 16 (AVX2): accumulators + 3 must fit. On JDKs
     * before 25 AVX-512 takes 6 rows too: JDK 17's C2 compiled the 8-row tile into one of two forms from
     * one process to the next (10,008 or 10,520 bytes of code, from the same inlining and nearly the same
     * profile), and the larger ran at half speed: W1 at 2048 435-453 or 235-247 GFLOP/s, about half the
     * processes each way; with 6 rows, 391-409 in 6 of 6 processes, and W2 67-87k samples/s against
     * 44-55k (4 pairs, 2026-11-27). JDK 18-24 were not measured and are treated as 17.
     */
    static final boolean TILE8 = L == 16 && FullC2.YES;
    private static final int MR = TILE8 ? 8 : 6, NR = 2 * L;

    /** Throws when the preferred vector width is not one this class was written and tested for. */
    VectorFloatKernels() {
        if (L != 8 && L != 16) throw new IllegalStateException("unexpected preferred vector width: " + L + " floats");
    }

    @Override
    public String name() {
        return "SIMD " + (L == 16 ? "AVX-512" : "AVX2") + " (" + L + " floats)";
    }

    @Override public int tileRows() { return MR; }
    @Override public int tileCols() { return NR; }

    @Override
    public void gemmTile(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float beta,
                         float[] c, int cOff, int ldc) {
        if (MR == 8) tile8(kc, ap, apOff, bp, bpOff, alpha, beta, c, cOff, ldc);
        else tile6(kc, ap, apOff, bp, bpOff, alpha, beta, c, cOff, ldc);
    }

    /**
     * The tile with beta = 0, then the bias added to each of its rows while they are in L1 (two vector
     * loads, adds and stores per row, against the tile's kc steps of 16 or 12 FMAs). The bias is not
     * a third store in {@link #tile8}: with one there, JDK 17's C2 no longer compiled the tile's vector
     * operations (W2 at 1,300 samples/s instead of 75,000; {@code CompiledKernelsTest}); nor a copy of
     * the tile in a method of its own, which C2 compiled a second time, in the first training steps
     * (W2's figure 2-8% lower in 9 of 10 pairs).
     */
    @Override
    public void gemmTileBias(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float[] bias, int biasOff,
                             float[] c, int cOff, int ldc, boolean relu) {
        if (MR == 8) tile8(kc, ap, apOff, bp, bpOff, alpha, 0f, c, cOff, ldc);
        else tile6(kc, ap, apOff, bp, bpOff, alpha, 0f, c, cOff, ldc);
        addBias(bias, biasOff, c, cOff, ldc, relu);
    }

    /** {@link #gemmTileBias}'s pass over the tile's MR rows: the bias added, then the ReLU when asked. */
    private static void addBias(float[] bias, int biasOff, float[] c, int cOff, int ldc, boolean relu) {
        FloatVector y0 = FloatVector.fromArray(S, bias, biasOff), y1 = FloatVector.fromArray(S, bias, biasOff + L);
        // alpha*acc + bias, rounded as fma(bias, 1, alpha*acc) is; then relu's max(v, 0) while the row is in registers
        // (instead of a pass after the tile: eight calls of relu, one per row)
        if (relu) {
            for (int r = 0, o = cOff; r < MR; r++, o += ldc) {
                FloatVector.fromArray(S, c, o).add(y0).max(0f).intoArray(c, o);
                FloatVector.fromArray(S, c, o + L).add(y1).max(0f).intoArray(c, o + L);
            }
        } else {
            for (int r = 0, o = cOff; r < MR; r++, o += ldc) {
                FloatVector.fromArray(S, c, o).add(y0).intoArray(c, o);
                FloatVector.fromArray(S, c, o + L).add(y1).intoArray(c, o + L);
            }
        }
    }

    @Override
    public boolean tileReadsRows() {
        return MR == 8;
    }

    /**
     * The 8-row tile reads A's rows in place ({@link #tileRows8}); the 6-row tile packs them first. In place
     * against packed, one thread, 2026-11-28: W1's block at 512 (512 x 256 x 512) 534-537 against 533-538 us,
     * 256 x 128 x 256 65.6-66.5 against 66.0, 128 x 128 x 512 and 128 x 256 x 256 (W2's second layer and its
     * input gradient) within 0.5%; at depth 784 it was 4-6% slower (eight rows' streams from L2 rather than
     * one panel from L1), so {@code Gemm} packs A from depth 513.
     */
    @Override
    public void gemmTileRows(int kc, float[] a, int aOff, int lda, float[] bp, int bpOff, float alpha, float beta,
                             float[] bias, int biasOff, float[] c, int cOff, int ldc, boolean relu) {
        if (MR == 8) {
            tileRows8(kc, a, aOff, lda, bp, bpOff, alpha, bias != null ? 0f : beta, c, cOff, ldc);
            if (bias != null) addBias(bias, biasOff, c, cOff, ldc, relu);
        } else {
            FloatKernels.super.gemmTileRows(kc, a, aOff, lda, bp, bpOff, alpha, beta, bias, biasOff, c, cOff, ldc, relu);
        }
    }

    // The tiles are written out rather than through helpers: a vector passed to a method that C2
    // does not inline is boxed, and so is a vector merged across a branch (JDK 17), each ~10x slower.

    /** The 8 x (2 vectors) tile: 16 accumulators, 2 loads of B and 8 broadcasts of A per step of k. */
    private static void tile8(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float beta,
                               float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        int ai = apOff, bi = bpOff;
        for (int p = 0; p < kc; p++, ai += 8, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc, o6 = o5 + ldc, o7 = o6 + ldc;
        if (beta == 0f) {
            c00.mul(alpha).intoArray(c, o0);
            c01.mul(alpha).intoArray(c, o0 + L);
            c10.mul(alpha).intoArray(c, o1);
            c11.mul(alpha).intoArray(c, o1 + L);
            c20.mul(alpha).intoArray(c, o2);
            c21.mul(alpha).intoArray(c, o2 + L);
            c30.mul(alpha).intoArray(c, o3);
            c31.mul(alpha).intoArray(c, o3 + L);
            c40.mul(alpha).intoArray(c, o4);
            c41.mul(alpha).intoArray(c, o4 + L);
            c50.mul(alpha).intoArray(c, o5);
            c51.mul(alpha).intoArray(c, o5 + L);
            c60.mul(alpha).intoArray(c, o6);
            c61.mul(alpha).intoArray(c, o6 + L);
            c70.mul(alpha).intoArray(c, o7);
            c71.mul(alpha).intoArray(c, o7 + L);
        } else {
            FloatVector bv = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, o0).fma(bv, c00.mul(alpha)).intoArray(c, o0);
            FloatVector.fromArray(S, c, o0 + L).fma(bv, c01.mul(alpha)).intoArray(c, o0 + L);
            FloatVector.fromArray(S, c, o1).fma(bv, c10.mul(alpha)).intoArray(c, o1);
            FloatVector.fromArray(S, c, o1 + L).fma(bv, c11.mul(alpha)).intoArray(c, o1 + L);
            FloatVector.fromArray(S, c, o2).fma(bv, c20.mul(alpha)).intoArray(c, o2);
            FloatVector.fromArray(S, c, o2 + L).fma(bv, c21.mul(alpha)).intoArray(c, o2 + L);
            FloatVector.fromArray(S, c, o3).fma(bv, c30.mul(alpha)).intoArray(c, o3);
            FloatVector.fromArray(S, c, o3 + L).fma(bv, c31.mul(alpha)).intoArray(c, o3 + L);
            FloatVector.fromArray(S, c, o4).fma(bv, c40.mul(alpha)).intoArray(c, o4);
            FloatVector.fromArray(S, c, o4 + L).fma(bv, c41.mul(alpha)).intoArray(c, o4 + L);
            FloatVector.fromArray(S, c, o5).fma(bv, c50.mul(alpha)).intoArray(c, o5);
            FloatVector.fromArray(S, c, o5 + L).fma(bv, c51.mul(alpha)).intoArray(c, o5 + L);
            FloatVector.fromArray(S, c, o6).fma(bv, c60.mul(alpha)).intoArray(c, o6);
            FloatVector.fromArray(S, c, o6 + L).fma(bv, c61.mul(alpha)).intoArray(c, o6 + L);
            FloatVector.fromArray(S, c, o7).fma(bv, c70.mul(alpha)).intoArray(c, o7);
            FloatVector.fromArray(S, c, o7 + L).fma(bv, c71.mul(alpha)).intoArray(c, o7 + L);
        }
    }

    /**
     * {@link #tile8} with row r of A at ap[aOff + r*lda + p]: eight row offsets, each indexed by p (a loop-invariant
     * base plus the induction variable, so C2 hoists their range checks). Its store is written out as tile8's is,
     * not shared through a helper: a helper taking the 16 accumulators, too large for C2 to inline, would box them.
     */
    private static void tileRows8(int kc, float[] ap, int aOff, int lda, float[] bp, int bpOff, float alpha, float beta,
                               float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        for (int p = 0; p < kc; p++) {
            int bi = bpOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ap[a0 + p]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[a1 + p]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[a2 + p]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[a3 + p]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[a4 + p]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[a5 + p]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[a6 + p]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[a7 + p]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc, o6 = o5 + ldc, o7 = o6 + ldc;
        if (beta == 0f) {
            c00.mul(alpha).intoArray(c, o0);
            c01.mul(alpha).intoArray(c, o0 + L);
            c10.mul(alpha).intoArray(c, o1);
            c11.mul(alpha).intoArray(c, o1 + L);
            c20.mul(alpha).intoArray(c, o2);
            c21.mul(alpha).intoArray(c, o2 + L);
            c30.mul(alpha).intoArray(c, o3);
            c31.mul(alpha).intoArray(c, o3 + L);
            c40.mul(alpha).intoArray(c, o4);
            c41.mul(alpha).intoArray(c, o4 + L);
            c50.mul(alpha).intoArray(c, o5);
            c51.mul(alpha).intoArray(c, o5 + L);
            c60.mul(alpha).intoArray(c, o6);
            c61.mul(alpha).intoArray(c, o6 + L);
            c70.mul(alpha).intoArray(c, o7);
            c71.mul(alpha).intoArray(c, o7 + L);
        } else {
            FloatVector bv = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, o0).fma(bv, c00.mul(alpha)).intoArray(c, o0);
            FloatVector.fromArray(S, c, o0 + L).fma(bv, c01.mul(alpha)).intoArray(c, o0 + L);
            FloatVector.fromArray(S, c, o1).fma(bv, c10.mul(alpha)).intoArray(c, o1);
            FloatVector.fromArray(S, c, o1 + L).fma(bv, c11.mul(alpha)).intoArray(c, o1 + L);
            FloatVector.fromArray(S, c, o2).fma(bv, c20.mul(alpha)).intoArray(c, o2);
            FloatVector.fromArray(S, c, o2 + L).fma(bv, c21.mul(alpha)).intoArray(c, o2 + L);
            FloatVector.fromArray(S, c, o3).fma(bv, c30.mul(alpha)).intoArray(c, o3);
            FloatVector.fromArray(S, c, o3 + L).fma(bv, c31.mul(alpha)).intoArray(c, o3 + L);
            FloatVector.fromArray(S, c, o4).fma(bv, c40.mul(alpha)).intoArray(c, o4);
            FloatVector.fromArray(S, c, o4 + L).fma(bv, c41.mul(alpha)).intoArray(c, o4 + L);
            FloatVector.fromArray(S, c, o5).fma(bv, c50.mul(alpha)).intoArray(c, o5);
            FloatVector.fromArray(S, c, o5 + L).fma(bv, c51.mul(alpha)).intoArray(c, o5 + L);
            FloatVector.fromArray(S, c, o6).fma(bv, c60.mul(alpha)).intoArray(c, o6);
            FloatVector.fromArray(S, c, o6 + L).fma(bv, c61.mul(alpha)).intoArray(c, o6 + L);
            FloatVector.fromArray(S, c, o7).fma(bv, c70.mul(alpha)).intoArray(c, o7);
            FloatVector.fromArray(S, c, o7 + L).fma(bv, c71.mul(alpha)).intoArray(c, o7 + L);
        }
    }

    /** The 6 x (2 vectors) tile: 12 accumulators, 2 loads of B and 6 broadcasts of A per step of k. */
    private static void tile6(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float beta,
                               float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int ai = apOff, bi = bpOff;
        for (int p = 0; p < kc; p++, ai += 6, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc;
        if (beta == 0f) {
            c00.mul(alpha).intoArray(c, o0);
            c01.mul(alpha).intoArray(c, o0 + L);
            c10.mul(alpha).intoArray(c, o1);
            c11.mul(alpha).intoArray(c, o1 + L);
            c20.mul(alpha).intoArray(c, o2);
            c21.mul(alpha).intoArray(c, o2 + L);
            c30.mul(alpha).intoArray(c, o3);
            c31.mul(alpha).intoArray(c, o3 + L);
            c40.mul(alpha).intoArray(c, o4);
            c41.mul(alpha).intoArray(c, o4 + L);
            c50.mul(alpha).intoArray(c, o5);
            c51.mul(alpha).intoArray(c, o5 + L);
        } else {
            FloatVector bv = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, o0).fma(bv, c00.mul(alpha)).intoArray(c, o0);
            FloatVector.fromArray(S, c, o0 + L).fma(bv, c01.mul(alpha)).intoArray(c, o0 + L);
            FloatVector.fromArray(S, c, o1).fma(bv, c10.mul(alpha)).intoArray(c, o1);
            FloatVector.fromArray(S, c, o1 + L).fma(bv, c11.mul(alpha)).intoArray(c, o1 + L);
            FloatVector.fromArray(S, c, o2).fma(bv, c20.mul(alpha)).intoArray(c, o2);
            FloatVector.fromArray(S, c, o2 + L).fma(bv, c21.mul(alpha)).intoArray(c, o2 + L);
            FloatVector.fromArray(S, c, o3).fma(bv, c30.mul(alpha)).intoArray(c, o3);
            FloatVector.fromArray(S, c, o3 + L).fma(bv, c31.mul(alpha)).intoArray(c, o3 + L);
            FloatVector.fromArray(S, c, o4).fma(bv, c40.mul(alpha)).intoArray(c, o4);
            FloatVector.fromArray(S, c, o4 + L).fma(bv, c41.mul(alpha)).intoArray(c, o4 + L);
            FloatVector.fromArray(S, c, o5).fma(bv, c50.mul(alpha)).intoArray(c, o5);
            FloatVector.fromArray(S, c, o5 + L).fma(bv, c51.mul(alpha)).intoArray(c, o5 + L);
        }
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            s0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), s0);
            s1 = FloatVector.fromArray(S, a, ao + i + L).fma(FloatVector.fromArray(S, b, bo + i + L), s1);
            s2 = FloatVector.fromArray(S, a, ao + i + 2 * L).fma(FloatVector.fromArray(S, b, bo + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, a, ao + i + 3 * L).fma(FloatVector.fromArray(S, b, bo + i + 3 * L), s3);
        }
        for (; i <= n - L; i += L) {
            s0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), s0);
        }
        float s = sumLanes(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) s = Math.fma(a[ao + i], b[bo + i], s);
        return s;
    }

    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(S, i -> i ^ (L == 16 ? 8 : 0));
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(S, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(S, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(S, i -> i ^ 1);

    /**
     * The sum of the lanes by a fixed tree of lane-wise adds (halves, then quarters, ...). Not
     * reduceLanes(ADD): its order differs between the interpreted fallback and the C2 intrinsic,
     * so a result depended on when the JIT compiled the caller (CNN training at a fixed seed was
     * not bit-reproducible, even on one thread). Summing lane by lane in order cost 45% more per
     * dot of 784; this tree costs about the same as reduceLanes.
     */
    private static float sumLanes(FloatVector v) {
        if (L == 16) v = v.add(v.rearrange(SWAP8));
        v = v.add(v.rearrange(SWAP4));
        v = v.add(v.rearrange(SWAP2));
        v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i <= n - L; i += L) {
            av.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
    }

    @Override
    public float sum(float[] x, int xo, int n) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0;
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(S, x, xo + i));
            s1 = s1.add(FloatVector.fromArray(S, x, xo + i + L));
        }
        for (; i <= n - L; i += L) s0 = s0.add(FloatVector.fromArray(S, x, xo + i));
        float s = sumLanes(s0.add(s1));
        for (; i < n; i++) s += x[xo + i];
        return s;
    }

    @Override
    public void arith(Arith op, float[] a, int ao, float[] b, int bo, float[] out, int o, int n) {
        int i = 0;
        switch (op) {
            case ADD -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case SUB -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case MUL -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case DIV -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case MAX -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case MIN -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
        }
        if (i < n) SCALAR.arith(op, a, ao + i, b, bo + i, out, o + i, n - i);
    }

    // Each operator is written out: a VectorOperators value that is not a compile-time constant
    // at the call site is not intrinsified (JDK 17), and the loop runs ~50x slower.
    @Override
    public void arith(Arith op, float[] a, int ao, float b, float[] out, int o, int n) {
        int i = 0;
        switch (op) {
            case ADD -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).add(b).intoArray(out, o + i); }
            case SUB -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).sub(b).intoArray(out, o + i); }
            case MUL -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).mul(b).intoArray(out, o + i); }
            case DIV -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).div(b).intoArray(out, o + i); }
            case MAX -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).max(b).intoArray(out, o + i); }
            case MIN -> { for (; i <= n - L; i += L) FloatVector.fromArray(S, a, ao + i).min(b).intoArray(out, o + i); }
        }
        if (i < n) SCALAR.arith(op, a, ao + i, b, out, o + i, n - i);
    }

    @Override
    public void arith(Arith op, float a, float[] b, int bo, float[] out, int o, int n) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        switch (op) {
            case ADD -> { for (; i <= n - L; i += L) av.add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case SUB -> { for (; i <= n - L; i += L) av.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case MUL -> { for (; i <= n - L; i += L) av.mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case DIV -> { for (; i <= n - L; i += L) av.div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case MAX -> { for (; i <= n - L; i += L) av.max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
            case MIN -> { for (; i <= n - L; i += L) av.min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, o + i); }
        }
        if (i < n) SCALAR.arith(op, a, b, bo + i, out, o + i, n - i);
    }

    /*
     * Four vectors of columns at a time, their running sums kept in registers over all the rows: one load and one
     * add per vector and row, against a load and a store of the sums too when summed a row at a time with arith
     * (W2's bias gradients, 128 x 512 on two threads: 6.3 us a call that way).
     */
    @Override
    public void columnSums(float[] x, int xo, int rows, int ldx, float[] out, int o, int n) {
        if (rows <= 0) {
            java.util.Arrays.fill(out, o, o + n, 0f);
            return;
        }
        int j = 0;
        for (; j <= n - 4 * L; j += 4 * L) {
            int p = xo + j;
            FloatVector s0 = FloatVector.fromArray(S, x, p), s1 = FloatVector.fromArray(S, x, p + L);
            FloatVector s2 = FloatVector.fromArray(S, x, p + 2 * L), s3 = FloatVector.fromArray(S, x, p + 3 * L);
            for (int r = 1; r < rows; r++) {
                p += ldx;
                s0 = s0.add(FloatVector.fromArray(S, x, p));
                s1 = s1.add(FloatVector.fromArray(S, x, p + L));
                s2 = s2.add(FloatVector.fromArray(S, x, p + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, x, p + 3 * L));
            }
            s0.intoArray(out, o + j);
            s1.intoArray(out, o + j + L);
            s2.intoArray(out, o + j + 2 * L);
            s3.intoArray(out, o + j + 3 * L);
        }
        for (; j <= n - L; j += L) {
            int p = xo + j;
            FloatVector s0 = FloatVector.fromArray(S, x, p);
            for (int r = 1; r < rows; r++) {
                p += ldx;
                s0 = s0.add(FloatVector.fromArray(S, x, p));
            }
            s0.intoArray(out, o + j);
        }
        if (j < n) SCALAR.columnSums(x, xo + j, rows, ldx, out, o + j, n - j);
    }

    @Override
    public void relu(float[] x, int xo, float[] out, int o, int n) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(out, o + i);
        for (; i < n; i++) out[o + i] = Math.max(x[xo + i], 0f);
    }

    @Override
    public void copyBlock(float[] src, int s, int lds, int rows, int width, float[] dst, int d, int ldd) {
        if (VECTOR_COPY) copyBlockSimd(src, s, lds, rows, width, dst, d, ldd);
        else SCALAR.copyBlock(src, s, lds, rows, width, dst, d, ldd);
    }

    /** {@link #copyBlock} with vector loads and stores (package-private: tested on every JDK). */
    static void copyBlockSimd(float[] src, int s, int lds, int rows, int width, float[] dst, int d, int ldd) {
        if (width == 2 * L) { // a row of a B panel (NR = 2L)
            for (int p = 0; p < rows; p++, s += lds, d += ldd) {
                FloatVector.fromArray(S, src, s).intoArray(dst, d);
                FloatVector.fromArray(S, src, s + L).intoArray(dst, d + L);
            }
        } else if (width == L) {
            for (int p = 0; p < rows; p++, s += lds, d += ldd) FloatVector.fromArray(S, src, s).intoArray(dst, d);
        } else if (HALF != null && width == L / 2) { // a row of an A panel (MR = 8 with AVX-512)
            for (int p = 0; p < rows; p++, s += lds, d += ldd) FloatVector.fromArray(HALF, src, s).intoArray(dst, d);
        } else {
            SCALAR.copyBlock(src, s, lds, rows, width, dst, d, ldd);
        }
    }

    @Override
    public void unsignedBytesToFloat(byte[] src, int s, float divisor, float[] out, int o, int n) {
        int i = 0; // L bytes, sign-extended to L ints, masked back to 0..255, converted exactly, divided
        for (; i <= n - L; i += L) {
            IntVector v = (IntVector) ByteVector.fromArray(BYTES, src, s + i).convertShape(VectorOperators.B2I, INTS, 0);
            ((FloatVector) v.and(0xFF).convert(VectorOperators.I2F, 0)).div(divisor).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = (src[s + i] & 0xFF) / divisor;
    }

    @Override
    public void reluBackward(float[] x, int xo, float[] g, int go, float[] out, int o, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMask<Float> positive = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, g, go + i), positive).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = x[xo + i] > 0f ? g[go + i] : 0f;
    }

    @Override
    public void exp(float[] x, int xo, float[] out, int o, int n) {
        int i = 0; // ExpMath: the same bits in every lane and in the scalar tail, compiled or not
        for (; i <= n - L; i += L) ExpMath.exp(FloatVector.fromArray(S, x, xo + i)).intoArray(out, o + i);
        for (; i < n; i++) out[o + i] = ExpMath.exp(x[xo + i]);
    }

    @Override
    public void maxPool2x2(float[] x, int xo, int w, int[] first, int firstOff, float[] out, int o, int[] argmax, int n) {
        if (n >= L) {
            float[] offsets = LANES.get();
            for (int next = 0; next < n; next += L) {
                int t = Math.min(next, n - L); // the last vector overlaps the one before: same values again
                FloatVector best = FloatVector.fromArray(S, x, xo, first, firstOff + t);
                FloatVector v = FloatVector.fromArray(S, x, xo + 1, first, firstOff + t);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                        .or(v.compare(VectorOperators.NE, v).and(best.compare(VectorOperators.EQ, best)));
                best = best.blend(v, take);
                FloatVector off = FloatVector.zero(S).blend(1f, take);
                v = FloatVector.fromArray(S, x, xo + w, first, firstOff + t);
                take = v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v).and(best.compare(VectorOperators.EQ, best)));
                best = best.blend(v, take);
                off = off.blend((float) w, take);
                v = FloatVector.fromArray(S, x, xo + w + 1, first, firstOff + t);
                take = v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v).and(best.compare(VectorOperators.EQ, best)));
                best.blend(v, take).intoArray(out, o + t);
                // The winner's offset leaves the vector as floats: conversions between lane types
                // are not intrinsified on JDK 17 (10x slower than this scalar loop).
                off.blend((float) (w + 1), take).intoArray(offsets, 0);
                for (int l = 0; l < L; l++) argmax[o + t + l] = first[firstOff + t + l] + (int) offsets[l];
            }
        } else {
            SCALAR.maxPool2x2(x, xo, w, first, firstOff, out, o, argmax, n);
        }
    }

    /**
     * Per-thread scratch for the pooling kernels' lanes (2L floats). A new array per call (80-160 bytes) was
     * not scalar-replaced by C2 (a vector is stored into it); reading the lanes one by one instead
     * ({@code lane(l)}) was slower: 305 -> 377 ns per 14 x 14 plane on JDK 25, 445 -> 870 ns for
     * {@link #maxPool2x2}'s 196 windows on JDK 17.
     */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[2 * L]);

    /**
     * Without gathers (slow on the AMD Zen cores measured): the window's four elements come from
     * four unaligned loads of the two rows at 2q and 2q + 1, so the even lanes hold the windows
     * of L/2 consecutive outputs (in a row narrower than that, the lanes past it read the next
     * row and are dropped). A tournament (a against b, c against d, then the winners, the
     * earlier one kept on ties) finds the same winner as the oracle's sequential scan.
     */
    @Override
    public void maxPool2x2Stride2(float[] x, int xo, int w, int oh, int ow, float[] out, int o, int[] argmax) {
        int half = L / 2, count = Math.min(half, ow); // windows per vector (fewer in narrow planes)
        float[] lanes = LANES.get(); // values in lanes [0, L), offsets in [L, 2L)
        FloatVector wv = FloatVector.broadcast(S, (float) w), w1v = FloatVector.broadcast(S, (float) (w + 1));
        FloatVector zero = FloatVector.zero(S);
        for (int y = 0; y < oh; y++) {
            int row = 2 * y * w, r0 = xo + row, r1 = r0 + w, oo = o + y * ow;
            for (int next = 0; next < ow; next += half) {
                int q = Math.min(next, ow - count); // the last group overlaps the one before: same values again
                if (r1 + 2 * q + L + 1 > x.length) { // the loads would run past the array: finish on the oracle
                    for (int yy = y; yy < oh; yy++) {
                        int rr = xo + 2 * yy * w;
                        for (int qq = (yy == y ? q : 0); qq < ow; qq++) scalarWindow(x, rr, w, 2 * yy * w, qq, out, o + yy * ow, argmax);
                    }
                    return;
                }
                FloatVector a = FloatVector.fromArray(S, x, r0 + 2 * q), b = FloatVector.fromArray(S, x, r0 + 2 * q + 1);
                FloatVector c = FloatVector.fromArray(S, x, r1 + 2 * q), d = FloatVector.fromArray(S, x, r1 + 2 * q + 1);
                VectorMask<Float> take = b.compare(VectorOperators.GT, a).or(b.compare(VectorOperators.NE, b).and(a.compare(VectorOperators.EQ, a)));
                FloatVector top = a.blend(b, take), topOff = zero.blend(1f, take);
                take = d.compare(VectorOperators.GT, c).or(d.compare(VectorOperators.NE, d).and(c.compare(VectorOperators.EQ, c)));
                FloatVector bottom = c.blend(d, take), bottomOff = wv.blend(w1v, take);
                take = bottom.compare(VectorOperators.GT, top).or(bottom.compare(VectorOperators.NE, bottom).and(top.compare(VectorOperators.EQ, top)));
                top.blend(bottom, take).intoArray(lanes, 0);
                // The offset leaves the vector as floats: lane-type conversions are not intrinsified on JDK 17.
                topOff.blend(bottomOff, take).intoArray(lanes, L);
                int base = row + 2 * q;
                for (int l = 0; l < count; l++) {
                    out[oo + q + l] = lanes[2 * l];
                    argmax[oo + q + l] = base + 2 * l + (int) lanes[L + 2 * l];
                }
            }
        }
    }

    /** One window of {@link #maxPool2x2Stride2} by the oracle's formula. */
    private static void scalarWindow(float[] x, int r0, int w, int row, int q, float[] out, int oo, int[] argmax) {
        int a = r0 + 2 * q;
        float best = x[a];
        int off = 0;
        float v = x[a + 1];
        if (v > best || (v != v && best == best)) { best = v; off = 1; }
        v = x[a + w];
        if (v > best || (v != v && best == best)) { best = v; off = w; }
        v = x[a + w + 1];
        if (v > best || (v != v && best == best)) { best = v; off = w + 1; }
        out[oo + q] = best;
        argmax[oo + q] = row + 2 * q + off;
    }

    @Override
    public void tanh(float[] x, int xo, float[] out, int o, int n) {
        int i = 0;
        for (; i <= n - L; i += L) ExpMath.tanh(FloatVector.fromArray(S, x, xo + i)).intoArray(out, o + i);
        for (; i < n; i++) out[o + i] = ExpMath.tanh(x[xo + i]);
    }

    @Override
    public void sigmoid(float[] x, int xo, float[] out, int o, int n) {
        int i = 0;
        for (; i <= n - L; i += L) ExpMath.sigmoid(FloatVector.fromArray(S, x, xo + i)).intoArray(out, o + i);
        for (; i < n; i++) out[o + i] = ExpMath.sigmoid(x[xo + i]);
    }

    // erf by Abramowitz and Stegun 7.1.26: erf(a) = 1 - t (A1 + t (A2 + ... + t A5)) exp(-a^2), t = 1 / (1 + P a), a >= 0
    private static final float ERF_P = 0.3275911f, ERF_A1 = 0.254829592f, ERF_A2 = -0.284496736f, ERF_A3 = 1.421413741f,
            ERF_A4 = -1.453152027f, ERF_A5 = 1.061405429f;
    private static final float INV_SQRT_2 = 0.70710678f, INV_SQRT_2PI = 0.39894228f;

    /**
     * With a = |x| / sqrt(2) and q = 1 - erf(a), 2 Phi(x) is q for x < 0 and 2 - q otherwise:
     * no cancellation in the left tail. exp(-a^2) = exp(-x^2 / 2) is also the normal density's
     * exponential, which the backward reuses.
     */
    @Override
    public void gelu(float[] x, int xo, float[] out, int o, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f), half = FloatVector.broadcast(S, 0.5f);
        FloatVector a2 = FloatVector.broadcast(S, ERF_A2), a3 = FloatVector.broadcast(S, ERF_A3), a4 = FloatVector.broadcast(S, ERF_A4);
        FloatVector a1 = FloatVector.broadcast(S, ERF_A1);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = v.abs().mul(INV_SQRT_2);
            FloatVector t = one.div(a.fma(ERF_P, 1f));
            FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, a3).fma(t, a2).fma(t, a1).mul(t);
            FloatVector q = poly.mul(ExpMath.expNonPositive(a.mul(a).neg()));
            FloatVector cdf2 = two.sub(q).blend(q, v.compare(VectorOperators.LT, 0f));
            half.mul(v).mul(cdf2).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = gelu(x[xo + i]);
    }

    /** The lanes' t (A1 + t (A2 + ... + t A5)), t = 1 / (1 + P a): erfc(a) = that times exp(-a^2). */
    private static float erfcPoly(float a) {
        float t = 1f / Math.fma(a, ERF_P, 1f);
        return Math.fma(Math.fma(Math.fma(Math.fma(t, ERF_A5, ERF_A4), t, ERF_A3), t, ERF_A2), t, ERF_A1) * t;
    }

    /** {@link #gelu(float[], int, float[], int, int)}'s lane, operation for operation: the same bits. */
    static float gelu(float v) {
        float a = Math.abs(v) * INV_SQRT_2;
        float q = erfcPoly(a) * ExpMath.expNonPositive(-(a * a));
        float cdf2 = v < 0f ? q : 2f - q;
        return 0.5f * v * cdf2;
    }

    @Override
    public void geluBackward(float[] x, int xo, float[] g, int go, float[] out, int o, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f), half = FloatVector.broadcast(S, 0.5f);
        FloatVector a2 = FloatVector.broadcast(S, ERF_A2), a3 = FloatVector.broadcast(S, ERF_A3), a1 = FloatVector.broadcast(S, ERF_A1);
        FloatVector invSqrt2Pi = FloatVector.broadcast(S, INV_SQRT_2PI);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = v.abs().mul(INV_SQRT_2);
            FloatVector t = one.div(a.fma(ERF_P, 1f));
            FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, a3).fma(t, a2).fma(t, a1).mul(t);
            FloatVector e = ExpMath.expNonPositive(a.mul(a).neg());
            FloatVector q = poly.mul(e);
            FloatVector cdf = two.sub(q).blend(q, v.compare(VectorOperators.LT, 0f)).mul(half);
            FloatVector d = v.mul(invSqrt2Pi).fma(e, cdf);
            d.mul(FloatVector.fromArray(S, g, go + i)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = geluBackward(x[xo + i], g[go + i]);
    }

    /** {@link #geluBackward(float[], int, float[], int, float[], int, int)}'s lane, operation for operation. */
    static float geluBackward(float v, float g) {
        float a = Math.abs(v) * INV_SQRT_2;
        float e = ExpMath.expNonPositive(-(a * a));
        float q = erfcPoly(a) * e;
        float cdf = (v < 0f ? q : 2f - q) * 0.5f;
        float d = Math.fma(v * INV_SQRT_2PI, e, cdf);
        return d * g;
    }

    @Override
    public void layerNormRow(float[] x, int xo, int n, float eps, float[] w, float[] b, float[] out, int o, float[] stats, int so) {
        if (w == null || b == null || n < L) {
            SCALAR.layerNormRow(x, xo, n, eps, w, b, out, o, stats, so);
            return;
        }
        float mean = sum(x, xo, n) / n;
        FloatVector mv = FloatVector.broadcast(S, mean), acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(mv);
            acc = d.fma(d, acc);
        }
        float ss = sumLanes(acc);
        for (; i < n; i++) {
            float d = x[xo + i] - mean;
            ss = Math.fma(d, d, ss);
        }
        float rstd = (float) (1.0 / Math.sqrt(ss / n + eps));
        FloatVector rv = FloatVector.broadcast(S, rstd);
        for (i = 0; i <= n - L; i += L) {
            FloatVector xh = FloatVector.fromArray(S, x, xo + i).sub(mv).mul(rv);
            xh.fma(FloatVector.fromArray(S, w, i), FloatVector.fromArray(S, b, i)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = Math.fma((x[xo + i] - mean) * rstd, w[i], b[i]);
        stats[so] = mean;
        stats[so + 1] = rstd;
    }

    @Override
    public void layerNormRowBackward(float[] x, int xo, float[] g, int go, int n, float mean, float rstd, float[] w,
                                     float[] dx, int dxo, float[] gw, float[] gb) {
        if (w == null || gw == null || gb == null || n < L) {
            SCALAR.layerNormRowBackward(x, xo, g, go, n, mean, rstd, w, dx, dxo, gw, gb);
            return;
        }
        FloatVector mv = FloatVector.broadcast(S, mean), rv = FloatVector.broadcast(S, rstd);
        FloatVector sd = FloatVector.zero(S), sdx = sd;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector xh = FloatVector.fromArray(S, x, xo + i).sub(mv).mul(rv);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector d = gv.mul(FloatVector.fromArray(S, w, i));
            sd = sd.add(d);
            sdx = d.fma(xh, sdx);
            gv.fma(xh, FloatVector.fromArray(S, gw, i)).intoArray(gw, i);
            gv.add(FloatVector.fromArray(S, gb, i)).intoArray(gb, i);
        }
        float sdS = sumLanes(sd), sdxS = sumLanes(sdx);
        for (int j = i; j < n; j++) {
            float xh = (x[xo + j] - mean) * rstd, gj = g[go + j], d = gj * w[j];
            sdS += d;
            sdxS = Math.fma(d, xh, sdxS);
            gw[j] = Math.fma(gj, xh, gw[j]);
            gb[j] += gj;
        }
        float md = sdS / n, mdx = sdxS / n;
        FloatVector mdv = FloatVector.broadcast(S, md), mdxv = FloatVector.broadcast(S, mdx);
        for (i = 0; i <= n - L; i += L) {
            FloatVector xh = FloatVector.fromArray(S, x, xo + i).sub(mv).mul(rv);
            FloatVector d = FloatVector.fromArray(S, g, go + i).mul(FloatVector.fromArray(S, w, i));
            d.sub(mdv).sub(xh.mul(mdxv)).mul(rv).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float xh = (x[xo + i] - mean) * rstd, d = g[go + i] * w[i];
            dx[dxo + i] = rstd * (d - md - xh * mdx);
        }
    }

    /**
     * The shuffle that interleaves blocks of g lanes of two vectors a and b (b's lanes numbered
     * from L): a's block, then b's, from the lower half of the lanes (or the upper, {@code high}).
     */
    private static VectorShuffle<Float> interleave(VectorSpecies<Float> species, int g, boolean high) {
        int n = species.length();
        int[] idx = new int[n];
        for (int j = 0; j < n; j++) {
            int base = (high ? n / 2 : 0) + (j / (2 * g)) * g, w = j % (2 * g);
            idx[j] = w < g ? base + w : n + base + w - g;
        }
        return VectorShuffle.fromArray(species, idx, 0);
    }

    private static final VectorShuffle<Float> LO1 = interleave(S, 1, false), HI1 = interleave(S, 1, true), LO2 = interleave(S, 2, false),
            HI2 = interleave(S, 2, true), LO4 = interleave(S, 4, false), HI4 = interleave(S, 4, true);

    /**
     * L columns of the eight rows at a time: eight row loads, then three rounds of two-vector
     * interleaves (by 1, 2 and 4 lanes) leave L/8 whole columns of eight in each vector, stored
     * in order. About 5x faster than the scalar moves on the Zen 5 measured (160 vs 850 ns for
     * 8 x 256).
     */
    @Override
    public void transposeRows8(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd) {
        if (TWO_VECTOR_REARRANGE) transposeRows8Simd(src, s, lds, kc, dst, d, ldd);
        else SCALAR.transposeRows8(src, s, lds, kc, dst, d, ldd);
    }

    /**
     * Whether two-vector rearranges compile to shuffles. On JDK 17 they do not (measured 7.6 us
     * for an 8 x 256 transpose against 0.16 us on JDK 25 and 0.85 us for the scalar moves), so
     * older JDKs take the scalar transpose. JDK 18-24 were not measured and are treated as 17.
     */
    static final boolean TWO_VECTOR_REARRANGE = FullC2.YES;

    /**
     * Whether {@link #copyBlock} copies with vector loads and stores. On JDK 25 they copy an 8 x 512
     * panel in 0.5 us (an arraycopy per row: 2 us); on JDK 17 the same loop took 8 us (32 columns:
     * 19 us), so older JDKs copy a row at a time with {@link System#arraycopy} (1.6 us). JDK 18-24
     * were not measured and are treated as 17.
     */
    static final boolean VECTOR_COPY = FullC2.YES;

    /** The SIMD transpose, whatever the JDK (tests call it directly). */
    static void transposeRows8Simd(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd) {
        if (ldd < 8) throw new IllegalArgumentException("transposeRows8: ldd must be >= 8, got " + ldd);
        if (ldd != 8) {
            transposeRows8Strided(src, s, lds, kc, dst, d, ldd);
            return;
        }
        int p = 0;
        for (; p + L <= kc; p += L) {
            FloatVector r0 = FloatVector.fromArray(S, src, s + p), r1 = FloatVector.fromArray(S, src, s + lds + p);
            FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * lds + p), r3 = FloatVector.fromArray(S, src, s + 3 * lds + p);
            FloatVector r4 = FloatVector.fromArray(S, src, s + 4 * lds + p), r5 = FloatVector.fromArray(S, src, s + 5 * lds + p);
            FloatVector r6 = FloatVector.fromArray(S, src, s + 6 * lds + p), r7 = FloatVector.fromArray(S, src, s + 7 * lds + p);
            FloatVector a0 = r0.rearrange(LO1, r1), a1 = r0.rearrange(HI1, r1), b0 = r2.rearrange(LO1, r3), b1 = r2.rearrange(HI1, r3);
            FloatVector c0 = r4.rearrange(LO1, r5), c1 = r4.rearrange(HI1, r5), e0 = r6.rearrange(LO1, r7), e1 = r6.rearrange(HI1, r7);
            FloatVector q0 = a0.rearrange(LO2, b0), q1 = a0.rearrange(HI2, b0), q2 = a1.rearrange(LO2, b1), q3 = a1.rearrange(HI2, b1);
            FloatVector t0 = c0.rearrange(LO2, e0), t1 = c0.rearrange(HI2, e0), t2 = c1.rearrange(LO2, e1), t3 = c1.rearrange(HI2, e1);
            int o = d + p * 8;
            q0.rearrange(LO4, t0).intoArray(dst, o);
            q0.rearrange(HI4, t0).intoArray(dst, o + L);
            q1.rearrange(LO4, t1).intoArray(dst, o + 2 * L);
            q1.rearrange(HI4, t1).intoArray(dst, o + 3 * L);
            q2.rearrange(LO4, t2).intoArray(dst, o + 4 * L);
            q2.rearrange(HI4, t2).intoArray(dst, o + 5 * L);
            q3.rearrange(LO4, t3).intoArray(dst, o + 6 * L);
            q3.rearrange(HI4, t3).intoArray(dst, o + 7 * L);
        }
        if (p < kc) SCALAR.transposeRows8(src, s + p, lds, kc - p, dst, d + p * 8, 8);
    }

    /**
     * The same with 8-float vectors whatever the preferred width: an 8 x 8 block per step (eight
     * row loads, three rounds of interleaves), each resulting column of eight stored whole at its
     * panel row. (Storing halves of 16-float vectors with masked stores measured 20x slower: the
     * JIT did not keep them intrinsic.) It is not used for ldd = 8 (packing A), where the
     * 16-float version above took 150 ns per 8 x 256 block against 370 ns for this one (JDK 25).
     */
    private static void transposeRows8Strided(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd) {
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            FloatVector r0 = FloatVector.fromArray(S8, src, s + p), r1 = FloatVector.fromArray(S8, src, s + lds + p);
            FloatVector r2 = FloatVector.fromArray(S8, src, s + 2 * lds + p), r3 = FloatVector.fromArray(S8, src, s + 3 * lds + p);
            FloatVector r4 = FloatVector.fromArray(S8, src, s + 4 * lds + p), r5 = FloatVector.fromArray(S8, src, s + 5 * lds + p);
            FloatVector r6 = FloatVector.fromArray(S8, src, s + 6 * lds + p), r7 = FloatVector.fromArray(S8, src, s + 7 * lds + p);
            FloatVector a0 = r0.rearrange(LO1_8, r1), a1 = r0.rearrange(HI1_8, r1), b0 = r2.rearrange(LO1_8, r3), b1 = r2.rearrange(HI1_8, r3);
            FloatVector c0 = r4.rearrange(LO1_8, r5), c1 = r4.rearrange(HI1_8, r5), e0 = r6.rearrange(LO1_8, r7), e1 = r6.rearrange(HI1_8, r7);
            FloatVector q0 = a0.rearrange(LO2_8, b0), q1 = a0.rearrange(HI2_8, b0), q2 = a1.rearrange(LO2_8, b1), q3 = a1.rearrange(HI2_8, b1);
            FloatVector t0 = c0.rearrange(LO2_8, e0), t1 = c0.rearrange(HI2_8, e0), t2 = c1.rearrange(LO2_8, e1), t3 = c1.rearrange(HI2_8, e1);
            int o = d + p * ldd;
            q0.rearrange(LO4_8, t0).intoArray(dst, o);
            q0.rearrange(HI4_8, t0).intoArray(dst, o + ldd);
            q1.rearrange(LO4_8, t1).intoArray(dst, o + 2 * ldd);
            q1.rearrange(HI4_8, t1).intoArray(dst, o + 3 * ldd);
            q2.rearrange(LO4_8, t2).intoArray(dst, o + 4 * ldd);
            q2.rearrange(HI4_8, t2).intoArray(dst, o + 5 * ldd);
            q3.rearrange(LO4_8, t3).intoArray(dst, o + 6 * ldd);
            q3.rearrange(HI4_8, t3).intoArray(dst, o + 7 * ldd);
        }
        if (p < kc) SCALAR.transposeRows8(src, s + p, lds, kc - p, dst, d + p * ldd, ldd);
    }

    /**
     * With 16-float vectors: a 16 x 16 block per step, sixteen row loads, then four rounds in
     * which rows i and i + 8 are interleaved lane by lane into rows 2i and 2i + 1 (after four,
     * row c holds column c), each column of sixteen stored whole. Otherwise (8-float vectors, or
     * a JDK whose two-vector rearranges are not shuffles) two {@link #transposeRows8} calls.
     * A thread's half of W2's first layer (256 rows of 784) is packed in 22 us, against 30-33 us with
     * the 8 x 8 blocks of {@link #transposeRows8Strided} (see Gemm's packB; JDK 25, 2026-11-27).
     */
    @Override
    public void transposeRows16(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd) {
        if (L == 16 && TWO_VECTOR_REARRANGE) transposeRows16Simd(src, s, lds, kc, dst, d, ldd);
        else FloatKernels.super.transposeRows16(src, s, lds, kc, dst, d, ldd);
    }

    /** The 16 x 16 SIMD transpose (16-float vectors; tests call it directly). */
    static void transposeRows16Simd(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd) {
        if (ldd < 16) throw new IllegalArgumentException("transposeRows16: ldd must be >= 16, got " + ldd);
        if (L != 16) throw new IllegalStateException("transposeRows16Simd needs 16-float vectors, this machine's are " + L);
        int p = 0;
        for (; p + 16 <= kc; p += 16) {
            FloatVector x0 = FloatVector.fromArray(S, src, s + p), x1 = FloatVector.fromArray(S, src, s + lds + p);
            FloatVector x2 = FloatVector.fromArray(S, src, s + 2 * lds + p), x3 = FloatVector.fromArray(S, src, s + 3 * lds + p);
            FloatVector x4 = FloatVector.fromArray(S, src, s + 4 * lds + p), x5 = FloatVector.fromArray(S, src, s + 5 * lds + p);
            FloatVector x6 = FloatVector.fromArray(S, src, s + 6 * lds + p), x7 = FloatVector.fromArray(S, src, s + 7 * lds + p);
            FloatVector x8 = FloatVector.fromArray(S, src, s + 8 * lds + p), x9 = FloatVector.fromArray(S, src, s + 9 * lds + p);
            FloatVector x10 = FloatVector.fromArray(S, src, s + 10 * lds + p), x11 = FloatVector.fromArray(S, src, s + 11 * lds + p);
            FloatVector x12 = FloatVector.fromArray(S, src, s + 12 * lds + p), x13 = FloatVector.fromArray(S, src, s + 13 * lds + p);
            FloatVector x14 = FloatVector.fromArray(S, src, s + 14 * lds + p), x15 = FloatVector.fromArray(S, src, s + 15 * lds + p);
            FloatVector a0 = x0.rearrange(LO1, x8), a1 = x0.rearrange(HI1, x8), a2 = x1.rearrange(LO1, x9), a3 = x1.rearrange(HI1, x9);
            FloatVector a4 = x2.rearrange(LO1, x10), a5 = x2.rearrange(HI1, x10), a6 = x3.rearrange(LO1, x11), a7 = x3.rearrange(HI1, x11);
            FloatVector a8 = x4.rearrange(LO1, x12), a9 = x4.rearrange(HI1, x12), a10 = x5.rearrange(LO1, x13), a11 = x5.rearrange(HI1, x13);
            FloatVector a12 = x6.rearrange(LO1, x14), a13 = x6.rearrange(HI1, x14), a14 = x7.rearrange(LO1, x15), a15 = x7.rearrange(HI1, x15);
            FloatVector b0 = a0.rearrange(LO1, a8), b1 = a0.rearrange(HI1, a8), b2 = a1.rearrange(LO1, a9), b3 = a1.rearrange(HI1, a9);
            FloatVector b4 = a2.rearrange(LO1, a10), b5 = a2.rearrange(HI1, a10), b6 = a3.rearrange(LO1, a11), b7 = a3.rearrange(HI1, a11);
            FloatVector b8 = a4.rearrange(LO1, a12), b9 = a4.rearrange(HI1, a12), b10 = a5.rearrange(LO1, a13), b11 = a5.rearrange(HI1, a13);
            FloatVector b12 = a6.rearrange(LO1, a14), b13 = a6.rearrange(HI1, a14), b14 = a7.rearrange(LO1, a15), b15 = a7.rearrange(HI1, a15);
            FloatVector c0 = b0.rearrange(LO1, b8), c1 = b0.rearrange(HI1, b8), c2 = b1.rearrange(LO1, b9), c3 = b1.rearrange(HI1, b9);
            FloatVector c4 = b2.rearrange(LO1, b10), c5 = b2.rearrange(HI1, b10), c6 = b3.rearrange(LO1, b11), c7 = b3.rearrange(HI1, b11);
            FloatVector c8 = b4.rearrange(LO1, b12), c9 = b4.rearrange(HI1, b12), c10 = b5.rearrange(LO1, b13), c11 = b5.rearrange(HI1, b13);
            FloatVector c12 = b6.rearrange(LO1, b14), c13 = b6.rearrange(HI1, b14), c14 = b7.rearrange(LO1, b15), c15 = b7.rearrange(HI1, b15);
            FloatVector d0 = c0.rearrange(LO1, c8), d1 = c0.rearrange(HI1, c8), d2 = c1.rearrange(LO1, c9), d3 = c1.rearrange(HI1, c9);
            FloatVector d4 = c2.rearrange(LO1, c10), d5 = c2.rearrange(HI1, c10), d6 = c3.rearrange(LO1, c11), d7 = c3.rearrange(HI1, c11);
            FloatVector d8 = c4.rearrange(LO1, c12), d9 = c4.rearrange(HI1, c12), d10 = c5.rearrange(LO1, c13), d11 = c5.rearrange(HI1, c13);
            FloatVector d12 = c6.rearrange(LO1, c14), d13 = c6.rearrange(HI1, c14), d14 = c7.rearrange(LO1, c15), d15 = c7.rearrange(HI1, c15);
            int o = d + p * ldd;
            d0.intoArray(dst, o);
            d1.intoArray(dst, o + ldd);
            d2.intoArray(dst, o + 2 * ldd);
            d3.intoArray(dst, o + 3 * ldd);
            d4.intoArray(dst, o + 4 * ldd);
            d5.intoArray(dst, o + 5 * ldd);
            d6.intoArray(dst, o + 6 * ldd);
            d7.intoArray(dst, o + 7 * ldd);
            d8.intoArray(dst, o + 8 * ldd);
            d9.intoArray(dst, o + 9 * ldd);
            d10.intoArray(dst, o + 10 * ldd);
            d11.intoArray(dst, o + 11 * ldd);
            d12.intoArray(dst, o + 12 * ldd);
            d13.intoArray(dst, o + 13 * ldd);
            d14.intoArray(dst, o + 14 * ldd);
            d15.intoArray(dst, o + 15 * ldd);
        }
        if (p < kc) {
            SCALAR.transposeRows8(src, s + p, lds, kc - p, dst, d + p * ldd, ldd);
            SCALAR.transposeRows8(src, s + 8 * lds + p, lds, kc - p, dst, d + p * ldd + 8, ldd);
        }
    }

    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> LO1_8 = interleave(S8, 1, false), HI1_8 = interleave(S8, 1, true),
            LO2_8 = interleave(S8, 2, false), HI2_8 = interleave(S8, 2, true), LO4_8 = interleave(S8, 4, false), HI4_8 = interleave(S8, 4, true);

    private static final ScalarFloatKernels SCALAR = new ScalarFloatKernels(MR, NR);

    // ---- matrix-vector products ------------------------------------------------------------------

    /**
     * Eight rows at a time, one accumulator each: every vector of x is loaded once for eight rows
     * of W (9 loads per 8 FMAs instead of 16), and eight independent chains hide the FMA latency.
     * Measured on 512 x 784 (the W6 MLP's first layer at batch 1) on one Zen 5 core: 19.5 us,
     * against 31 us with one {@link #dot} per row; four rows with two accumulators each were ~15%
     * slower than eight with one.
     * Every row is summed by the same steps (vectors of L in order, the lanes by {@link #sumLanes}'s
     * tree, the tail by scalar FMAs), whether in a group of 8, of 4 or alone.
     */
    @Override
    public void dotRows(int rows, int k, float[] w, int wOff, int ldw, float[] x, int xo, float alpha, float beta, float[] y, int yo) {
        int j = 0;
        for (; j + 8 <= rows; j += 8) {
            int o0 = wOff + j * ldw, o1 = o0 + ldw, o2 = o1 + ldw, o3 = o2 + ldw, o4 = o3 + ldw, o5 = o4 + ldw, o6 = o5 + ldw, o7 = o6 + ldw;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            int p = 0;
            for (; p <= k - L; p += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + p);
                s0 = FloatVector.fromArray(S, w, o0 + p).fma(xv, s0);
                s1 = FloatVector.fromArray(S, w, o1 + p).fma(xv, s1);
                s2 = FloatVector.fromArray(S, w, o2 + p).fma(xv, s2);
                s3 = FloatVector.fromArray(S, w, o3 + p).fma(xv, s3);
                s4 = FloatVector.fromArray(S, w, o4 + p).fma(xv, s4);
                s5 = FloatVector.fromArray(S, w, o5 + p).fma(xv, s5);
                s6 = FloatVector.fromArray(S, w, o6 + p).fma(xv, s6);
                s7 = FloatVector.fromArray(S, w, o7 + p).fma(xv, s7);
            }
            float r0, r1, r2, r3, r4, r5, r6, r7;
            if (L == 16) { // the eight trees side by side (see sumLanes4): lane 0 holds row 0, lane 8 row 1, ...
                FloatVector z = pairSums(pairSums(pairSums(s0, s1, SWAP8, HALF8), pairSums(s2, s3, SWAP8, HALF8), SWAP4, HALF4),
                        pairSums(pairSums(s4, s5, SWAP8, HALF8), pairSums(s6, s7, SWAP8, HALF8), SWAP4, HALF4), SWAP2, HALF2);
                z = z.add(z.rearrange(SWAP1));
                r0 = z.lane(0); r1 = z.lane(8); r2 = z.lane(4); r3 = z.lane(12); r4 = z.lane(2); r5 = z.lane(10); r6 = z.lane(6); r7 = z.lane(14);
            } else {
                r0 = sumLanes(s0); r1 = sumLanes(s1); r2 = sumLanes(s2); r3 = sumLanes(s3);
                r4 = sumLanes(s4); r5 = sumLanes(s5); r6 = sumLanes(s6); r7 = sumLanes(s7);
            }
            y[yo + j] = finishRow(r0, w, o0, x, xo, p, k, alpha, beta, y[yo + j]);
            y[yo + j + 1] = finishRow(r1, w, o1, x, xo, p, k, alpha, beta, y[yo + j + 1]);
            y[yo + j + 2] = finishRow(r2, w, o2, x, xo, p, k, alpha, beta, y[yo + j + 2]);
            y[yo + j + 3] = finishRow(r3, w, o3, x, xo, p, k, alpha, beta, y[yo + j + 3]);
            y[yo + j + 4] = finishRow(r4, w, o4, x, xo, p, k, alpha, beta, y[yo + j + 4]);
            y[yo + j + 5] = finishRow(r5, w, o5, x, xo, p, k, alpha, beta, y[yo + j + 5]);
            y[yo + j + 6] = finishRow(r6, w, o6, x, xo, p, k, alpha, beta, y[yo + j + 6]);
            y[yo + j + 7] = finishRow(r7, w, o7, x, xo, p, k, alpha, beta, y[yo + j + 7]);
        }
        for (; j + 4 <= rows; j += 4) {
            int o0 = wOff + j * ldw, o1 = o0 + ldw, o2 = o1 + ldw, o3 = o2 + ldw;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int p = 0;
            for (; p <= k - L; p += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + p);
                s0 = FloatVector.fromArray(S, w, o0 + p).fma(xv, s0);
                s1 = FloatVector.fromArray(S, w, o1 + p).fma(xv, s1);
                s2 = FloatVector.fromArray(S, w, o2 + p).fma(xv, s2);
                s3 = FloatVector.fromArray(S, w, o3 + p).fma(xv, s3);
            }
            float r0, r1, r2, r3;
            if (L == 16) { // lane 0 holds row 0, lane 8 row 1, lane 4 row 2, lane 12 row 3
                FloatVector z = pairSums(pairSums(s0, s1, SWAP8, HALF8), pairSums(s2, s3, SWAP8, HALF8), SWAP4, HALF4);
                z = z.add(z.rearrange(SWAP2));
                z = z.add(z.rearrange(SWAP1));
                r0 = z.lane(0); r1 = z.lane(8); r2 = z.lane(4); r3 = z.lane(12);
            } else {
                r0 = sumLanes(s0); r1 = sumLanes(s1); r2 = sumLanes(s2); r3 = sumLanes(s3);
            }
            y[yo + j] = finishRow(r0, w, o0, x, xo, p, k, alpha, beta, y[yo + j]);
            y[yo + j + 1] = finishRow(r1, w, o1, x, xo, p, k, alpha, beta, y[yo + j + 1]);
            y[yo + j + 2] = finishRow(r2, w, o2, x, xo, p, k, alpha, beta, y[yo + j + 2]);
            y[yo + j + 3] = finishRow(r3, w, o3, x, xo, p, k, alpha, beta, y[yo + j + 3]);
        }
        for (; j < rows; j++) {
            int o0 = wOff + j * ldw;
            FloatVector s0 = FloatVector.zero(S);
            int p = 0;
            for (; p <= k - L; p += L) s0 = FloatVector.fromArray(S, w, o0 + p).fma(FloatVector.fromArray(S, x, xo + p), s0);
            y[yo + j] = finishRow(sumLanes(s0), w, o0, x, xo, p, k, alpha, beta, y[yo + j]);
        }
    }

    /** Lanes whose index has bit 3 (resp. 2, 1) set: which operand {@link #pairSums} keeps in place. */
    private static final VectorMask<Float> HALF8 = VectorMask.fromLong(S, 0xFF00L), HALF4 = VectorMask.fromLong(S, 0xF0F0L),
            HALF2 = VectorMask.fromLong(S, 0xCCCCL);

    /**
     * One level of {@link #sumLanes}' tree for two vectors at once (swap = SWAP8 with half = HALF8,
     * and so on): lane l of the result is a[l] + a[l ^ bit] where l lacks the bit and b[l] + b[l ^ bit]
     * where it has it. Two vectors cost one rearrange instead of two, and after the levels 8, 4, 2
     * and 1 every row's sum is the one sumLanes gives alone (the same pairs added in the same order),
     * so a row summed in a group is bit-identical to that row summed alone. Summing eight rows by
     * sumLanes one at a time made the W6 MLP's batch-1 GEMVs 20% slower (26 against 19.5 us for
     * 512 x 784 on one Zen 5 core).
     */
    private static FloatVector pairSums(FloatVector a, FloatVector b, VectorShuffle<Float> swap, VectorMask<Float> half) {
        return a.blend(b, half).add(b.blend(a, half).rearrange(swap));
    }

    /** A row of {@link #dotRows}: its vector sum, then the tail from p, then the alpha/beta merge. */
    private static float finishRow(float s, float[] w, int o, float[] x, int xo, int p, int k, float alpha, float beta, float old) {
        for (; p < k; p++) s = Math.fma(w[o + p], x[xo + p], s);
        float v = alpha * s;
        return beta == 0f ? v : Math.fma(old, beta, v);
    }
}
