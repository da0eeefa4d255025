package dev.depth.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The SIMD kernels end up compiled with the Vector API's intrinsics, on whatever JDK runs the tests
 * (CI's is 17): once C2 has compiled a kernel, a call allocates nothing. Where C2 gives up on a
 * kernel's vector operations, each one runs the API's Java fallback, which allocates an object per
 * operation, and training runs some 40x slower while every result stays right: a third store in
 * {@code tile8} did that on JDK 17 (W2 at 1,300 samples/s instead of 75,000), and no other test saw
 * it. Each test calls a group of kernels in rounds until a round allocates (almost) nothing, and
 * fails if none does within 30 s; a healthy JVM gets there in well under a second.
 */
class CompiledKernelsTest {

    /** Calls per measured round, and the bytes a round may allocate (a few objects, none per call). */
    private static final int ROUND = 2_000, ALLOWED_BYTES = 16 * 1024;

    private static final FloatKernels K = Simd.kernels();
    private static final int MR = K.tileRows(), NR = K.tileCols();

    @Test
    void gemmTilesAllocateNothingOnceCompiled() {
        int kc = 64;
        float[] ap = ramp(kc * MR), bp = ramp(kc * NR), bias = ramp(NR), c = new float[MR * NR];
        assertCompiled("the GEMM tiles",
                i -> { K.gemmTile(kc, ap, 0, bp, 0, 1f, 0f, c, 0, NR); return c[i % c.length]; },
                i -> { K.gemmTile(kc, ap, 0, bp, 0, 1f, 1f, c, 0, NR); return c[i % c.length]; },
                i -> { K.gemmTileBias(kc, ap, 0, bp, 0, 1f, bias, 0, c, 0, NR); return c[i % c.length]; });
    }

    @Test
    void packingKernelsAllocateNothingOnceCompiled() {
        int kc = 37, lds = 70; // odd depths: the vector loops and their scalar tails
        float[] src = ramp(40 * lds), dst = new float[kc * 40];
        assertCompiled("the GEMM's packing",
                i -> { K.transposeRows8(src, 1, lds, kc, dst, 0, 8); return dst[i % dst.length]; }, // A's panels
                i -> { K.transposeRows8(src, 2, lds, kc, dst, 0, NR); return dst[i % dst.length]; }, // B^T's panels
                i -> { K.copyBlock(src, 3, lds, kc, NR, dst, 0, NR); return dst[i % dst.length]; }, // B's panels
                i -> { K.copyBlock(src, 4, lds, kc, 8, dst, 0, 8); return dst[i % dst.length]; }); // A^T's panels
    }

    @Test
    void elementwiseKernelsAllocateNothingOnceCompiled() {
        int n = 1023;
        float[] a = ramp(n), b = ramp(n), out = new float[n], w = ramp(64 * 77), y = new float[64];
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) bytes[i] = (byte) (i * 7);
        assertCompiled("the element-wise kernels",
                i -> { K.arith(FloatKernels.Arith.MUL, a, 0, b, 0, out, 0, n); return out[i % n]; },
                i -> { K.arith(FloatKernels.Arith.ADD, a, 0, 0.5f, out, 0, n); return out[i % n]; },
                i -> { K.relu(a, 0, out, 0, n); return out[i % n]; },
                i -> { K.reluBackward(a, 0, b, 0, out, 0, n); return out[i % n]; },
                i -> { K.axpy(0.25f, a, 0, out, 0, n); return out[i % n]; },
                i -> K.dot(a, 0, b, 0, n) + K.sum(a, 0, n),
                i -> { K.unsignedBytesToFloat(bytes, 0, 255f, out, 0, n); return out[i % n]; },
                i -> { K.dotRows(64, 77, w, 0, 77, a, 0, 1f, 0f, y, 0); return y[i % 64]; });
    }

    private interface Call {
        float run(int i);
    }

    /**
     * Each kernel in a small lambda of its own: one large caller that inlined all of them measured 12 bytes
     * per call on JDK 17 (presumably C2's inlining budget: the kernels allocated nothing called alone).
     */
    private static void assertCompiled(String what, Call... calls) {
        assumeTrue(Simd.vectorized(), "no SIMD kernels on this machine");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(), "no allocation counter");
        long deadline = System.nanoTime() + 30_000_000_000L, lastRound = Long.MAX_VALUE;
        float sink = 0;
        while (System.nanoTime() < deadline) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUND; i++) sink += calls[i % calls.length].run(i);
            lastRound = threads.getCurrentThreadAllocatedBytes() - before;
            if (lastRound <= ALLOWED_BYTES) break;
        }
        assertTrue(!Float.isNaN(sink), what);
        assertTrue(lastRound <= ALLOWED_BYTES, what + " still allocate " + lastRound + " bytes per " + ROUND
                + " calls after 30 s: the JIT has not compiled their vector operations (" + Runtime.version() + ")");
    }

    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = ((i % 13) - 6) * 0.125f;
        return a;
    }
}
