package dev.depth.kernel;

import dev.depth.kernel.simd.AttentionKernels;
import dev.depth.kernel.simd.Simd;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

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

    private static final AtomicBoolean JIT_ADVISED = new AtomicBoolean();

    /**
     * Leaves a training step's orchestration to HotSpot's C1 compiler, through compiler directives
     * added at run time: the GEMM's driver (the loops over blocks, panels and tiles around the
     * micro-kernel), the batch assembly of in-memory datasets, autograd, tensors' shape and view
     * methods, the optimisers' and modules' drivers, and the linear layer's and the cross-entropy
     * loss's bookkeeping (the list: {@code JitAdvice}), and on JDK 25 and newer (x86-64) the Vector API's own
     * classes, whose Java fallback C2 otherwise compiles first while the kernels wait (C2 still inlines
     * them into the kernels). Call it at the start of a program (the CLI
     * does, on a daemon thread: the call loads the JMX classes, 120-135 ms). C2 still compiles the
     * kernels these methods call, and everything else; code that C2 compiled before the call stays
     * in use.
     *
     * <p>Why: those methods are called a few to a few dozen times per training step, so they reach
     * C2's thresholds hundreds to thousands of steps in, and C2 then took up to a fifth of a core
     * for seconds while the two cores of the machine measured were training: the kernels' second
     * thread lost its core and whole steps ran on one thread. C1's code for them is as fast.
     * Measured on W2 (2026-11-27, bench/README.md, "A faster morning" and "Glue to C1"): the GEMM's
     * driver and the batch assembly alone gave the timed window (steps 50-469) 8-22% more
     * samples/s; the rest of the list another 3-8.5% on the window in the medians of four sets of 8
     * alternating pairs (0.92-1.25x per pair) and 4-5% over 5 epochs (three sets of 6, 0.99-1.21x);
     * W3-W6 unchanged.
     *
     * <p>The compile thresholds of the same methods can be lowered only by a JVM flag, read at start-up:
     * {@link #jitCompileCommands()}.
     *
     * <p>It acts once per JVM, and not when the system property {@code depth.jitAdvice} is
     * {@code false}. A JVM without HotSpot's diagnostic commands (not HotSpot, or a runtime image
     * without the {@code jdk.management} module) is left as it is.
     *
     * @return true when the directives were added by this call
     */
    public static boolean adviseJit() {
        if ("false".equalsIgnoreCase(System.getProperty("depth.jitAdvice")) || !JIT_ADVISED.compareAndSet(false, true)) return false;
        try {
            return JitAdvice.install().startsWith(JitAdvice.DIRECTIVES + " ");
        } catch (Exception | LinkageError e) {
            return false; // no diagnostic command here: the JIT's defaults, which work, only more slowly at first
        }
    }

    /**
     * The JVM's compile commands that go with {@link #adviseJit()}, as the text of a file for
     * {@code -XX:CompileCommandFile}: the methods the advice leaves to C1 reach their final code ten times
     * sooner, and so do the JDK's maps, atomics and locks that those methods call every step. A JVM flag, read only at start-up: the {@code ./depth} launcher passes
     * {@code depth-cli/jvm/compile-commands.txt}, which holds this text; a program that uses Depth as a
     * library may pass its own copy.
     */
    public static String jitCompileCommands() {
        return JitAdvice.compileCommands();
    }

    private static final AtomicBoolean KERNEL_WARM_UP = new AtomicBoolean();

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
        if (!Simd.vectorized() || !warmUpWanted() || !KERNEL_WARM_UP.compareAndSet(false, true)) return null;
        return warmUpInBackground("depth-kernel-warm-up", Simd::warmUp);
    }

    /** Every warm-up thread started, for {@link #awaitWarmUp()}. */
    private static final List<Thread> WARM_UPS = new CopyOnWriteArrayList<>();

    /**
     * Starts another warm-up on a daemon thread of its own, under the same conditions as
     * {@link #warmUpInBackground()} (at least two processors, {@code depth.warmUp} not {@code false};
     * the scalar kernels are no reason to skip it), and {@link #awaitWarmUp()} waits for it too:
     * layers above the kernels warm their own code up this way ({@code dev.depth.train.TrainingWarmUp}).
     *
     * @return the started thread, or null when none was started
     */
    public static Thread warmUpInBackground(String name, Runnable task) {
        if (!warmUpWanted()) return null;
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        WARM_UPS.add(t);
        t.start();
        return t;
    }

    private static boolean warmUpWanted() {
        return Runtime.getRuntime().availableProcessors() >= 2 && !"false".equalsIgnoreCase(System.getProperty("depth.warmUp"));
    }

    /**
     * Waits for the warm-up threads started so far ({@link #warmUpInBackground()} and the others) to
     * end: a benchmark calls this before it times anything, so that no warm-up shares the cores with it.
     */
    public static void awaitWarmUp() {
        for (Thread t : WARM_UPS) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
