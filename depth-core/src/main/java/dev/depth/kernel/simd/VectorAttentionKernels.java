package dev.depth.kernel.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link AttentionKernels}, at the preferred width. Products are register
 * tiles of 4 rows by 2 vectors: per step of k, two loads of B's row and four broadcasts of A
 * feed eight fused multiply-adds, and no horizontal sum is needed (scores are computed against
 * transposed keys, a vector of keys at a time); ragged ends use masked loads and stores.
 */
final class VectorAttentionKernels implements AttentionKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /**
     * Whether this JDK's C2 compiles all the operations the kernels use: masked loads and stores,
     * rearranges, conversions between lane types. JDK 17's does not, and each of those ran the
     * Vector API's Java fallback there (an object per operation: 3-16 KB allocated per call of
     * {@code gemm} on rows or columns that are not a multiple of 4 and L, 2-3 KB per row of
     * {@code expShiftSum}; {@code CompiledKernelsTest}); JDK 25's does. Versions in between were
     * not measured and take the basic form.
     */
    static final boolean FULL_API = FullC2.YES;

    /**
     * With {@code basic}, only what JDK 17's C2 compiles: unmasked loads and stores, lane-wise
     * arithmetic, broadcasts, single lanes and MAX reductions; ragged ends, lane sums and exp are
     * scalar code. Each form gives the same results whether its caller is interpreted or compiled.
     */
    private final boolean basic;

    /** Throws when the preferred width is not one this class was written and tested for. */
    VectorAttentionKernels() {
        this(!FULL_API);
    }

    /** The basic form (see {@link #basic}) or the full one; tests run both on any JDK. */
    VectorAttentionKernels(boolean basic) {
        if (L != 4 && L != 8 && L != 16) throw new IllegalStateException("unexpected preferred vector width: " + L + " floats");
        this.basic = basic;
    }

    @Override
    public String name() {
        return "SIMD (" + L + " floats" + (basic ? ", basic" : "") + ")";
    }

    @Override
    public void gemm(int rows, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, int n, float alpha,
                     boolean accumulate, float[] c, int co, int ldc) {
        int i = 0;
        for (; i + 4 <= rows; i += 4) gemm4(k, a, ao + i * ars, ars, acs, b, bo, ldb, n, alpha, accumulate, c, co + i * ldc, ldc, basic);
        for (; i < rows; i++) {
            if (basic) gemm1Basic(k, a, ao + i * ars, acs, b, bo, ldb, n, alpha, accumulate, c, co + i * ldc);
            else gemm1(k, a, ao + i * ars, acs, b, bo, ldb, n, alpha, accumulate, c, co + i * ldc);
        }
    }

    // The tiles are written out: a vector passed to a method C2 does not inline is boxed.

    /**
     * Four rows of C, in column blocks of two vectors, then one vector, then a masked vector.
     * Each block shape is a method of its own: with all three in one body C2 ran out of its
     * inlining budget before the narrower blocks' stores and boxed their accumulators.
     */
    private static void gemm4(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, int n, float alpha,
                              boolean accumulate, float[] c, int co, int ldc, boolean basic) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) tile4x2(k, a, ao, ars, acs, b, bo + j, ldb, alpha, accumulate, c, co + j, ldc);
        if (j + L <= n) {
            tile4x1(k, a, ao, ars, acs, b, bo + j, ldb, alpha, accumulate, c, co + j, ldc);
            j += L;
        }
        if (j < n) {
            if (basic) columnsScalar(4, k, a, ao, ars, acs, b, bo, ldb, j, n, alpha, accumulate, c, co, ldc);
            else tile4Masked(k, a, ao, ars, acs, b, bo, ldb, j, n, alpha, accumulate, c, co, ldc);
        }
    }

    /**
     * Columns [j, n) of {@code rows} rows of C in scalar code, each element's sum in increasing p
     * with fused multiply-adds: the bits of {@link #tile4Masked}'s lanes.
     */
    private static void columnsScalar(int rows, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, int j, int n,
                                      float alpha, boolean accumulate, float[] c, int co, int ldc) {
        for (int r = 0; r < rows; r++) {
            for (int jj = j; jj < n; jj++) {
                float acc = 0f;
                for (int p = 0, ap = ao + r * ars, row = bo + jj; p < k; p++, ap += acs, row += ldb) acc = Math.fma(a[ap], b[row], acc);
                int o = co + r * ldc + jj;
                float v = acc * alpha;
                c[o] = accumulate ? v + c[o] : v;
            }
        }
    }

    /** A 4 x 2L block of C at column offsets bo (of B) and co (of C): 4 x 2 accumulators. */
    private static void tile4x2(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, float alpha,
                                boolean accumulate, float[] c, int co, int ldc) {
        int a1 = ao + ars, a2 = a1 + ars, a3 = a2 + ars;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0, ap = 0, row = bo; p < k; p++, ap += acs, row += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, row), b1 = FloatVector.fromArray(S, b, row + L);
            FloatVector x = FloatVector.broadcast(S, a[ao + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        store(c00, alpha, accumulate, c, co);
        store(c01, alpha, accumulate, c, co + L);
        store(c10, alpha, accumulate, c, co + ldc);
        store(c11, alpha, accumulate, c, co + ldc + L);
        store(c20, alpha, accumulate, c, co + 2 * ldc);
        store(c21, alpha, accumulate, c, co + 2 * ldc + L);
        store(c30, alpha, accumulate, c, co + 3 * ldc);
        store(c31, alpha, accumulate, c, co + 3 * ldc + L);
    }

    /** A 4 x L block of C at column offsets bo (of B) and co (of C). */
    private static void tile4x1(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, float alpha,
                                boolean accumulate, float[] c, int co, int ldc) {
        int a1 = ao + ars, a2 = a1 + ars, a3 = a2 + ars;
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0, ap = 0, row = bo; p < k; p++, ap += acs, row += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, row);
            c0 = FloatVector.broadcast(S, a[ao + ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[a1 + ap]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[a2 + ap]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[a3 + ap]).fma(b0, c3);
        }
        store(c0, alpha, accumulate, c, co);
        store(c1, alpha, accumulate, c, co + ldc);
        store(c2, alpha, accumulate, c, co + 2 * ldc);
        store(c3, alpha, accumulate, c, co + 3 * ldc);
    }

    /** Columns [j, n) of four rows of C, fewer than L: masked loads and stores. */
    private static void tile4Masked(int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, int j, int n,
                                    float alpha, boolean accumulate, float[] c, int co, int ldc) {
        int a1 = ao + ars, a2 = a1 + ars, a3 = a2 + ars;
        VectorMask<Float> m = S.indexInRange(j, n);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0, ap = 0, row = bo + j; p < k; p++, ap += acs, row += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, row, m);
            c0 = FloatVector.broadcast(S, a[ao + ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[a1 + ap]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[a2 + ap]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[a3 + ap]).fma(b0, c3);
        }
        // the stores written out: through storeMasked, C2 (JDK 25) boxed a vector or the mask, 144 bytes per call
        int o = co + j;
        c0 = c0.mul(alpha);
        c1 = c1.mul(alpha);
        c2 = c2.mul(alpha);
        c3 = c3.mul(alpha);
        if (accumulate) {
            c0 = c0.add(FloatVector.fromArray(S, c, o, m));
            c1 = c1.add(FloatVector.fromArray(S, c, o + ldc, m));
            c2 = c2.add(FloatVector.fromArray(S, c, o + 2 * ldc, m));
            c3 = c3.add(FloatVector.fromArray(S, c, o + 3 * ldc, m));
        }
        c0.intoArray(c, o, m);
        c1.intoArray(c, o + ldc, m);
        c2.intoArray(c, o + 2 * ldc, m);
        c3.intoArray(c, o + 3 * ldc, m);
    }

    /** One row of C, two accumulators per vector of columns (even and odd steps of k). */
    private static void gemm1(int k, float[] a, int ao, int acs, float[] b, int bo, int ldb, int n, float alpha,
                              boolean accumulate, float[] c, int co) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector c0 = FloatVector.zero(S), c1 = c0;
            int p = 0, ap = ao, row = bo + j;
            for (; p + 1 < k; p += 2, ap += 2 * acs, row += 2 * ldb) {
                c0 = FloatVector.broadcast(S, a[ap]).fma(FloatVector.fromArray(S, b, row, m), c0);
                c1 = FloatVector.broadcast(S, a[ap + acs]).fma(FloatVector.fromArray(S, b, row + ldb, m), c1);
            }
            if (p < k) c0 = FloatVector.broadcast(S, a[ap]).fma(FloatVector.fromArray(S, b, row, m), c0);
            storeMasked(c0.add(c1), alpha, accumulate, c, co + j, m);
        }
    }

    /** {@link #gemm1} without masks: whole vectors of columns, then the rest in scalar code with the same two sums. */
    private static void gemm1Basic(int k, float[] a, int ao, int acs, float[] b, int bo, int ldb, int n, float alpha,
                                   boolean accumulate, float[] c, int co) {
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector c0 = FloatVector.zero(S), c1 = c0;
            int p = 0, ap = ao, row = bo + j;
            for (; p + 1 < k; p += 2, ap += 2 * acs, row += 2 * ldb) {
                c0 = FloatVector.broadcast(S, a[ap]).fma(FloatVector.fromArray(S, b, row), c0);
                c1 = FloatVector.broadcast(S, a[ap + acs]).fma(FloatVector.fromArray(S, b, row + ldb), c1);
            }
            if (p < k) c0 = FloatVector.broadcast(S, a[ap]).fma(FloatVector.fromArray(S, b, row), c0);
            store(c0.add(c1), alpha, accumulate, c, co + j);
        }
        for (; j < n; j++) {
            float c0 = 0f, c1 = 0f;
            int p = 0, ap = ao, row = bo + j;
            for (; p + 1 < k; p += 2, ap += 2 * acs, row += 2 * ldb) {
                c0 = Math.fma(a[ap], b[row], c0);
                c1 = Math.fma(a[ap + acs], b[row + ldb], c1);
            }
            if (p < k) c0 = Math.fma(a[ap], b[row], c0);
            float v = (c0 + c1) * alpha;
            c[co + j] = accumulate ? v + c[co + j] : v;
        }
    }

    private static void store(FloatVector acc, float alpha, boolean accumulate, float[] c, int o) {
        FloatVector r = acc.mul(alpha);
        if (accumulate) r = r.add(FloatVector.fromArray(S, c, o));
        r.intoArray(c, o);
    }

    private static void storeMasked(FloatVector acc, float alpha, boolean accumulate, float[] c, int o, VectorMask<Float> m) {
        FloatVector r = acc.mul(alpha);
        if (accumulate) r = r.add(FloatVector.fromArray(S, c, o, m));
        r.intoArray(c, o, m);
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
        if (basic) { // the masked tail and the lane sum's rearranges: scalar code (ExpMath's twin: the same exps)
            float sum = 0f;
            for (int i = 0; i < n; i++) {
                float e = ExpMath.expNonPositive(x[xo + i] - shift);
                x[xo + i] = e;
                sum += e;
            }
            return sum;
        }
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = ExpMath.expNonPositive(FloatVector.fromArray(S, x, xo + i).sub(shift));
            e.intoArray(x, xo + i);
            acc = acc.add(e);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector e = ExpMath.expNonPositive(FloatVector.fromArray(S, x, xo + i, m).sub(shift));
            e.intoArray(x, xo + i, m);
            acc = acc.add(e, m);
        }
        // the lanes' sum, written out here: as a method it is too large for C2 to inline at this cold site, and the vector passed would be boxed
        acc = acc.add(acc.rearrange(HALF));
        if (L >= 4) acc = acc.add(acc.rearrange(QUARTER));
        if (L >= 8) acc = acc.add(acc.rearrange(EIGHTH));
        if (L >= 16) acc = acc.add(acc.rearrange(SIXTEENTH));
        return acc.lane(0);
    }

    @Override
    public void softmaxGrad(float[] p, int po, float[] ds, int dso, float sub, int n) {
        int i = 0;
        for (; i <= n - L; i += L)
            FloatVector.fromArray(S, ds, dso + i).sub(sub).mul(FloatVector.fromArray(S, p, po + i)).intoArray(ds, dso + i);
        if (basic) {
            for (; i < n; i++) ds[dso + i] = (ds[dso + i] - sub) * p[po + i];
        } else if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, ds, dso + i, m).sub(sub).mul(FloatVector.fromArray(S, p, po + i, m)).intoArray(ds, dso + i, m);
        }
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        if (basic) { // the lanes in order, then the rest
            float sum = 0f;
            for (int l = 0; l < L; l++) sum += acc.lane(l);
            for (; i < n; i++) sum = Math.fma(a[ao + i], b[bo + i], sum);
            return sum;
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            acc = FloatVector.fromArray(S, a, ao + i, m).fma(FloatVector.fromArray(S, b, bo + i, m), acc);
        }
        // the lanes' sum, written out here: as a method it is too large for C2 to inline at this cold site, and the vector passed would be boxed
        acc = acc.add(acc.rearrange(HALF));
        if (L >= 4) acc = acc.add(acc.rearrange(QUARTER));
        if (L >= 8) acc = acc.add(acc.rearrange(EIGHTH));
        if (L >= 16) acc = acc.add(acc.rearrange(SIXTEENTH));
        return acc.lane(0);
    }

    // The lanes' sum is taken by a fixed tree (halves, quarters, ...), not reduceLanes(ADD), whose
    // order may differ between the interpreter and compiled code: results must not depend on when
    // the JIT compiled a caller.
    private static final VectorShuffle<Float> HALF = VectorShuffle.fromOp(S, i -> (i + L / 2) % L);
    private static final VectorShuffle<Float> QUARTER = VectorShuffle.fromOp(S, i -> i ^ Math.max(1, L / 4));
    private static final VectorShuffle<Float> EIGHTH = VectorShuffle.fromOp(S, i -> i ^ Math.max(1, L / 8));
    private static final VectorShuffle<Float> SIXTEENTH = VectorShuffle.fromOp(S, i -> i ^ 1);
}
