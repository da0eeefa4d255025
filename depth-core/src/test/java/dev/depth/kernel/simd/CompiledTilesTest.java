package dev.depth.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The GEMM micro-kernels end up compiled with the Vector API's intrinsics, on whatever JDK runs the
 * tests (CI's is 17): once C2 has compiled a tile, a call allocates nothing. Where C2 gives up on a
 * kernel's vector operations, each one runs the API's Java fallback, which allocates an object per
 * operation, and training runs some 40x slower while every result stays right: a third store in
 * {@code tile8} did that on JDK 17 (W2 at 1,300 samples/s instead of 75,000), and no other test saw it.
 */
class CompiledTilesTest {

    /** Calls per measured round, and the bytes a round may allocate (a few objects, none per call). */
    private static final int ROUND = 2_000, ALLOWED_BYTES = 16 * 1024;

    @Test
    void tilesAllocateNothingOnceCompiled() {
        assumeTrue(Simd.vectorized(), "no SIMD kernels on this machine");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(), "no allocation counter");
        FloatKernels k = Simd.kernels();
        int mr = k.tileRows(), nr = k.tileCols(), kc = 64;
        float[] ap = new float[kc * mr], bp = new float[kc * nr], bias = new float[nr], c = new float[mr * nr];
        for (int i = 0; i < ap.length; i++) ap[i] = (i % 7) * 0.125f;
        for (int i = 0; i < bp.length; i++) bp[i] = (i % 5) * 0.25f;
        long deadline = System.nanoTime() + 30_000_000_000L, lastRound = Long.MAX_VALUE;
        float sink = 0;
        while (System.nanoTime() < deadline) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUND; i++) {
                switch (i % 3) {
                    case 0 -> k.gemmTile(kc, ap, 0, bp, 0, 1f, 0f, c, 0, nr);
                    case 1 -> k.gemmTile(kc, ap, 0, bp, 0, 1f, 1f, c, 0, nr);
                    default -> k.gemmTileBias(kc, ap, 0, bp, 0, 1f, bias, 0, c, 0, nr);
                }
                sink += c[i % c.length];
            }
            lastRound = threads.getCurrentThreadAllocatedBytes() - before;
            if (lastRound <= ALLOWED_BYTES) break;
        }
        assertTrue(Float.isFinite(sink));
        assertTrue(lastRound <= ALLOWED_BYTES, "the GEMM tiles still allocate " + lastRound + " bytes per " + ROUND
                + " calls after 30 s: the JIT has not compiled their vector operations (" + Runtime.version() + ")");
    }
}
