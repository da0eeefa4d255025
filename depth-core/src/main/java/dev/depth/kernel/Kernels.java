package dev.depth.kernel;

import dev.depth.kernel.simd.AttentionKernels;
import dev.depth.kernel.simd.Simd;

/**
 * What the kernels of this JVM run on. {@link #describe()} is the line to print at start-up.
 *
 * <p>The SIMD choice is made once per JVM by {@link Simd}: the Vector API when
 * {@code --add-modules jdk.incubator.vector} is given and the vector width is known, else the
 * scalar reference. {@code -Ddepth.kernels=scalar} forces the scalar path.
 */
public final class Kernels {
    private Kernels() {}

    /**
     * E.g. {@code "SIMD AVX-512 (16 floats), 2 threads"} or {@code "scalar fallback: <reason>, 2
     * threads"}; {@code "(attention: scalar)"} is added in the unlikely case that the attention
     * kernels fell back alone.
     */
    public static String describe() {
        int t = Parallel.threads();
        boolean attentionScalar = Simd.vectorized() && AttentionKernels.get() == AttentionKernels.scalar();
        return Simd.describe() + (attentionScalar ? " (attention: scalar)" : "") + ", " + t + (t == 1 ? " thread" : " threads");
    }

    /** True when the Vector API kernels are in use. */
    public static boolean vectorized() {
        return Simd.vectorized();
    }
}
