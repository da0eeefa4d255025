package dev.depth.train;

import dev.depth.kernel.Elementwise;
import dev.depth.kernel.Kernels;
import dev.depth.nn.F;
import dev.depth.nn.Flatten;
import dev.depth.nn.Init;
import dev.depth.nn.Linear;
import dev.depth.nn.Module;
import dev.depth.nn.ReLU;
import dev.depth.nn.Sequential;
import dev.depth.optim.Adam;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Trains a tiny MLP for a few hundred steps on a thread of its own while a program loads its data,
 * so that the code around the kernels (modules, autograd, the loss, the optimiser) is compiled
 * when training starts.
 *
 * <p>Why: that code runs a few times per training step, so the JIT compiles it only after a few
 * hundred steps (C1's thresholds: 200 calls, or 100 with 2,000 loop iterations); until then it is
 * interpreted. In W2 (the MLP on Fashion-MNIST) those compilations fell inside the timed steps
 * 50-469: {@code F.crossEntropy}, {@code F.linear}, {@code Autograd.backward} and
 * {@code Optimizer.step} were compiled 50-300 ms into them. With this warm-up (300 steps, 2026-11-27,
 * bench/README.md, "The training code warmed up"), W2's steps 50-469 ran 2-11% faster (6 pairs, median
 * 6%; JDK 17 7-15%), its first epoch took 1.05-1.40 s instead of 1.31-1.66 s, and whole 5-epoch
 * processes ended 0.02-0.39 s sooner in 8 of 9 pairs (0.08 s later in one): the warm-up runs while
 * the data loads, on the core that the loading leaves free. W3 and W4 measured 0-5% faster, W5 and W6
 * the same (0.96-1.02x). A tiny CNN besides the MLP (Conv2d, max pooling) did not make W3 faster.
 *
 * <p>The model is small enough that no kernel opens a parallel region (the kernels' threads stay
 * with the program), its initialisation uses a generator of its own (the program's random streams
 * are not touched; they are per thread anyway), and the thread keeps nothing: it ends after the
 * steps. The shapes go through the same paths as real layers (the packed GEMM with a partial panel,
 * a Linear-ReLU pair fused, Adam's update, the cross-entropy's backward), so none of the code it
 * compiles is specialised for a path that real training does not take. Every product of its layers
 * has more than 512 outputs (16 x 34 at least), so that none runs as matrix-vector products
 * ({@code FloatKernels.dotRows}), which a layer on a batch does not use either: with a 10-wide last
 * layer, the warm-up made C2 compile that kernel (160 ms of C2's time, 0.9-1.1 s into a W2 run) for
 * nothing (2026-11-27, bench/README.md, "The Vector API's fallback left to C1"). The bias gradients are 72, 36
 * and 34 wide, so that the column-sum kernel ({@code FloatKernels.columnSums}) runs each of its paths (blocks of
 * four vectors, single vectors, a scalar tail) and reaches C2's threshold here: with 40, 36 and 34, C2 compiled it
 * without the four-vector loop, and the first real layer's gradient sent it back to C1's code, whose Vector API
 * fallback then ran for 30-40 steps at 3-4 ms each ("The window's compilations").
 */
public final class TrainingWarmUp {
    private TrainingWarmUp() {}

    /** Training steps: past C1's compile thresholds for code that runs once per step, far below C2's (5,000 calls). */
    public static final int STEPS = 300;

    /**
     * Calls of the element-wise exp kernel (the softmax of the cross-entropy) on {@link #EXP_LENGTH} values, before
     * the steps, so that C2 compiles it here. Its loop otherwise reaches C2's threshold by its iterations (80 a step
     * on W2's 128 x 10 logits): C2 compiled it around step 450 of W2, 9-16 ms of the compiler's time inside the timed
     * steps, the largest compilation there (JFR's {@code jdk.Compilation}, 2026-11-28). With 3,000 calls C2 compiled
     * it by on-stack replacement, and its compilation of the method itself, queued meanwhile, was dropped as stale
     * once the calls stopped and came inside the timed steps in two runs of three; with 10,000 (about 60 ms of this
     * thread) it came 1.9-2.1 s before them in four of four.
     */
    static final int EXP_CALLS = 10_000;
    /** 65 vectors of 16 (130 of 8) and a scalar tail of 7: the kernel's loop and its tail are both profiled. */
    static final int EXP_LENGTH = 1_047;

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /**
     * Starts the warm-up on a daemon thread, once per JVM, through {@link Kernels#warmUpInBackground(String, Runnable)}
     * (so not on one processor, nor with {@code -Ddepth.warmUp=false}; {@link Kernels#awaitWarmUp()} waits for it).
     * Call it at the start of a program, before it loads its data (the CLI does).
     *
     * @return the started thread, or null when none was started
     */
    public static Thread inBackground() {
        if (!STARTED.compareAndSet(false, true)) return null;
        return Kernels.warmUpInBackground("depth-training-warm-up", () -> run(STEPS));
    }

    /**
     * Runs {@code steps} training steps of a tiny MLP (16 samples of 48 features with 10 labels, Linear 48-72,
     * ReLU, Linear 72-36, ReLU, Linear 36-34, cross-entropy, Adam) on the current thread, after the exp kernel's
     * calls ({@link #EXP_CALLS}, first: C2's queue is long at start-up); returns the last loss.
     */
    public static float run(int steps) {
        if (steps < 0) throw new IllegalArgumentException("TrainingWarmUp: steps must be >= 0, got " + steps);
        float[] e = new float[EXP_LENGTH];
        for (int i = 0; i < EXP_CALLS; i++) {
            for (int j = 0; j < e.length; j++) e[j] = (j % 23) * -0.25f;
            Elementwise.unary(Elementwise.Unary.EXP, e, 0, e, 0, e.length);
        }
        Module model;
        try (var scope = Init.seed(0x5EED)) {
            model = new Sequential(new Flatten(), new Linear(48, 72), new ReLU(), new Linear(72, 36), new ReLU(), new Linear(36, 34));
        }
        model.train();
        Adam opt = new Adam(model.parameters(), 1e-3);
        Tensor x = Tensor.randn(new Generator(0x5EED), 16, 48);
        float[] labels = new float[16];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Tensor y = Tensor.of(labels, labels.length);
        float loss = Float.NaN;
        for (int i = 0; i < steps; i++) {
            Tensor l = F.crossEntropy(model.forward(x), y);
            opt.zeroGrad(false);
            l.backward();
            opt.step();
            loss = l.item();
        }
        return loss;
    }
}
