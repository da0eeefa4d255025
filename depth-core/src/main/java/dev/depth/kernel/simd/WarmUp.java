package dev.depth.kernel.simd;

/**
 * Calls the GEMM micro-kernel a few thousand times on one small tile, so that C2 has compiled it
 * before the first real product (see {@link dev.depth.kernel.Kernels#warmUpInBackground()}).
 *
 * <p>Why: until C2 has compiled a Vector API kernel, each vector operation runs the API's Java
 * fallback (an object per operation, about 100x slower), and the micro-kernel entered with a real
 * panel (k = 784 for W2's first layer) stays there until its loop has run some 100,000 times. The
 * first step of W2's MLP took 2.0-2.4 s, most of it there, against 2 ms later on. Small calls reach
 * the compile threshold by their number for little work each. They also call it with beta 0 and
 * beta 1 alike: with only one side of its store in the profile, C2's code was deoptimised in the
 * middle of the first step and compiled again. A quarter of the calls go through
 * {@link FloatKernels#gemmTileBias}, so that its bias loop is compiled as well, and where the tile reads
 * A in place ({@link FloatKernels#tileReadsRows}) a quarter through {@link FloatKernels#gemmTileRows},
 * with and without a bias.
 *
 * <p>Only the micro-kernel: warming up every kernel this way (element-wise ops, packing) made the
 * first step shorter still, but moved compilations into the steps that W2's figure times and made
 * that figure about 4% lower (2026-11-27, bench/README.md, "Whole runs"); measured again once C2 no longer
 * compiled the Vector API's fallback ("The Vector API's fallback left to C1"), each kernel called until
 * compiled: 0.99x. With the JIT's advice
 * ({@link dev.depth.kernel.Kernels#adviseJit()}) the packing kernels' warm-up measured neutral on
 * that figure and 0.15 s off the first epoch on average: not added ("A faster morning"). Awaited before
 * the first step, a warm-up of every kernel shortened the epochs but not the process: it only moved
 * the time ("W2 once more").
 */
final class WarmUp {
    private WarmUp() {}

    /**
     * Calls of the micro-kernel. C2 compiles a method after 5,000 calls, or after 600 once calls
     * and loop iterations together pass 15,000 (the default flags: with k = 32 that is the 600th
     * call); the compilation then takes a while, during which the calls go on. Measured alone:
     * 0.6 us per call from about the 3,750th, 0.45-0.65 s in all.
     */
    static final int CALLS = 4_000;
    /** The depth of the tile's panels. */
    static final int K = 32;

    /** Runs the calls on the current thread; returns a sum of the results (kept so that no call is dead code). */
    static float run(FloatKernels k, int calls) {
        int mr = k.tileRows(), nr = k.tileCols();
        float[] ap = ramp(K * mr, 0.01f), bp = ramp(K * nr, 0.02f), c = new float[mr * nr];
        float sink = 0;
        boolean rows = k.tileReadsRows();
        for (int i = 0; i < calls; i++) {
            if (i % 4 == 2) k.gemmTileBias(K, ap, 0, bp, 0, 1f, bp, 0, c, 0, nr, (i / 4 & 1) == 0); // with and without the ReLU
            else if (i % 4 == 3 && rows) k.gemmTileRows(K, ap, 0, K, bp, 0, 1f, (i / 4 & 1) == 0 ? 0f : 1f, (i / 8 & 1) == 0 ? bp : null, 0, c, 0, nr, (i / 4 & 1) == 0);
            else k.gemmTile(K, ap, 0, bp, 0, 1f, (i & 1) == 0 ? 0f : 1f, c, 0, nr);
            sink += c[i % c.length];
        }
        return sink;
    }

    private static float[] ramp(int n, float step) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = ((i % 17) - 8) * step;
        return a;
    }
}
