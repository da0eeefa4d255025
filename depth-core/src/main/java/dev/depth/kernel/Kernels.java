package dev.depth.kernel;

import dev.depth.kernel.simd.AttentionKernels;
import dev.depth.kernel.simd.Simd;

import java.util.concurrent.atomic.AtomicReference;

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

    private static final AtomicReference<Thread> WARM_UP = new AtomicReference<>();

    /**
     * Starts a daemon thread that calls the GEMM micro-kernel a few thousand times on a small tile,
     * so that the JIT has compiled it when the first real product comes; call it at the start of a
     * program, before it loads its data (the CLI does). Until then every vector operation of the
     * kernel runs the Vector API's Java fallback, about 100x slower: without this the first
     * training step of W2's MLP took 2.0-2.4 s (2 ms later on), and its first epoch 3.3-3.8 s
     * against 2.7-3.5 s with it (2026-11-27, bench/README.md). The thread takes about half a second
     * of one core, uses arrays of its own and opens no parallel region. It starts once per JVM, only
     * with the SIMD kernels and at least two processors (on one it would only take time from the
     * program), and not when the system property {@code depth.warmUp} is {@code false}.
     *
     * @return the started thread, or null when none was started
     */
    public static Thread warmUpInBackground() {
        if (!Simd.vectorized() || Runtime.getRuntime().availableProcessors() < 2
                || "false".equalsIgnoreCase(System.getProperty("depth.warmUp"))) return null;
        Thread t = new Thread(Simd::warmUp, "depth-kernel-warm-up");
        t.setDaemon(true);
        if (!WARM_UP.compareAndSet(null, t)) return null;
        t.start();
        return t;
    }

    /**
     * Waits for the thread of {@link #warmUpInBackground()} to end, if one was started: a benchmark
     * calls this before it times anything, so that the warm-up does not share the cores with it.
     */
    public static void awaitWarmUp() {
        Thread t = WARM_UP.get();
        if (t == null) return;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
