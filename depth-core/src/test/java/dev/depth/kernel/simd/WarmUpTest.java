package dev.depth.kernel.simd;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up calls the micro-kernel within its contract, and the kernel computes as before afterwards. */
class WarmUpTest {
    @Test
    void warmedUpMicroKernelStillMatchesTheScalarOracle() {
        FloatKernels k = Simd.kernels();
        ScalarFloatKernels oracle = new ScalarFloatKernels(k.tileRows(), k.tileCols());
        assertTrue(Float.isFinite(WarmUp.run(k, 50)));
        assertTrue(Float.isFinite(WarmUp.run(oracle, 50)));
        int mr = k.tileRows(), nr = k.tileCols(), kc = 37;
        float[] ap = new float[kc * mr], bp = new float[kc * nr];
        for (int i = 0; i < ap.length; i++) ap[i] = (i * 7 % 13) - 6f;
        for (int i = 0; i < bp.length; i++) bp[i] = (i * 5 % 11) * 0.25f - 1f;
        for (float beta : new float[] {0f, 1f, 0.5f}) {
            float[] c1 = new float[mr * nr + 5], c2 = new float[mr * nr + 5];
            for (int i = 0; i < c1.length; i++) c1[i] = c2[i] = i * 0.5f;
            k.gemmTile(kc, ap, 0, bp, 0, 1.5f, beta, c1, 2, nr);
            oracle.gemmTile(kc, ap, 0, bp, 0, 1.5f, beta, c2, 2, nr);
            assertArrayEquals(c2, c1, "beta " + beta);
        }
    }
}
