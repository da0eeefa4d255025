package dev.depth.bench;

import dev.depth.autograd.Autograd;
import dev.depth.data.Batch;
import dev.depth.data.DataLoader;
import dev.depth.data.FashionMnist;
import dev.depth.data.TensorDataset;
import dev.depth.io.AtomicFiles;
import dev.depth.io.Checkpoint;
import dev.depth.lab.lm.CharLstmModel;
import dev.depth.lab.lm.GptModel;
import dev.depth.lab.lm.LanguageModel;
import dev.depth.kernel.Gemm;
import dev.depth.kernel.Kernels;
import dev.depth.kernel.Parallel;
import dev.depth.nn.F;
import dev.depth.nn.Init;
import dev.depth.nn.Models;
import dev.depth.nn.Module;
import dev.depth.nn.Sequential;
import dev.depth.optim.Adam;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import dev.depth.train.Trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The workload benchmarks W1-W6 of bench/WORKLOADS.md, measured on Depth. Each run returns one
 * flat map (written as one JSON line by {@code depth bench --json}) with the workload id, whether
 * Depth can run it ({@code available}), the JDK, the thread count and {@link Kernels#describe()},
 * and the figures under the keys that bench/pytorch/workloads.py uses for PyTorch:
 * <ul>
 *   <li>W1 sgemm C = A B, square n: {@code sizes: {"n": {median, min, max}}} in GFLOP/s = 2n^3/t.
 *       After a warm-up of the kernel and {@link Options#warmupSeconds()} (1 s by default, and 10 calls, and until two rounds of calls agree within 5%) of warm-up per size, each of {@link Options#repeats()} repetitions
 *       times enough back-to-back calls to last at least 10 ms (one call for large n).</li>
 *   <li>W2 MLP and W3 CNN training on Fashion-MNIST (Adam lr 1e-3, batch 128 and 64, seed 42,
 *       reshuffled each epoch): {@code samples_per_s} over the steps after the first
 *       {@link #WARMUP_STEPS}; {@link #W2_STEPS} and {@link #W3_STEPS} steps in all by default, or
 *       {@link Options#epochs()} whole epochs, which adds {@code epoch_seconds} and {@code test_accuracy}; also
 *       {@code step_us}, the timed steps' times ({@link #stepSummary}), and with {@link Options#stepTimes()} every
 *       step's time in a CSV file.</li>
 *   <li>W4 LSTM and W5 GPT char LMs ({@code tokens_per_s}) on random token ids, after
 *       {@link #LM_WARMUP_STEPS} warm-up steps.</li>
 *   <li>W6 W2's MLP inference (eval mode, no graph, frozen with {@link Sequential#freeze()}):
 *       {@code b1_latency_us}, the median latency of {@link Options#latencyCalls()} batch-1 calls,
 *       each timed alone, and {@code b256_samples_per_s}, the median over repetitions of batch-256
 *       calls; {@code b256_samples_per_s_unfrozen} is the same for the model as it is.</li>
 * </ul>
 * Every workload also reports {@code peak_rss_mb}, the process's peak resident memory at its end
 * (see {@link #peakRssKb()}), where Linux gives it.
 * The thread count is whatever {@link Parallel#threads()} is when a workload runs.
 *
 * <p>Not thread-safe: run one workload at a time (they use every kernel thread anyway).
 */
public final class Workloads {
    private Workloads() {}

    /** The workload ids, in order. */
    public static final List<String> IDS = List.of("W1", "W2", "W3", "W4", "W5", "W6");
    /** W1's default matrix sizes. */
    public static final List<Integer> W1_SIZES = List.of(128, 256, 512, 1024, 2048);
    /** Training steps excluded from the training rate (JIT and allocation warm-up). */
    public static final int WARMUP_STEPS = 50;
    /** W2's default steps in all: one epoch of 60,000 images at batch 128 (468 full batches and one of 96). */
    public static final int W2_STEPS = 469;
    /** W3's default steps in all (25,600 images at batch 64). */
    public static final int W3_STEPS = 400;
    /** Default repetitions of W1's timings per size and of W6's batch-256 timing. */
    public static final int DEFAULT_REPEATS = 10;
    /** Default number of timed batch-1 calls of W6. */
    public static final int DEFAULT_LATENCY_CALLS = 10_000;
    /** Seed of weights, data order and random inputs. */
    public static final long SEED = 42;

    /** Default warm-up in seconds before each W1 size and each W6 figure. */
    public static final double DEFAULT_WARMUP_SECONDS = 1.0;
    private static final double MIN_REP_SECONDS = 0.01;
    private static final int WARMUP_CALLS = 10;
    /** Calls before the warm-up may stop on two agreeing rounds (W6 batch 256 measured slow for the first ~500). */
    private static final int STEADY_MIN_CALLS = 500;

    /**
     * How to run the workloads.
     *
     * @param repeats timed repetitions of W1 (per size) and of W6's batch-256 figure, >= 1
     * @param sizes W1's matrix sizes, each >= 1
     * @param data Fashion-MNIST directory for W2 and W3, or null for Depth's default places
     * @param latencyCalls W6's timed batch-1 calls, >= 1
     * @param steps W2's and W3's steps in all, > {@link #WARMUP_STEPS}, or null for the defaults; W4's and W5's too
     * @param epochs when not null (and {@code steps} is null), W2 and W3 train this many whole epochs instead and also
     *     report the seconds of each epoch and the test accuracy at the end, >= 1
     * @param warmupSeconds warm-up before each W1 size and each W6 figure (at least 10 calls too), >= 0
     * @param stepTimes when not null, W2 or W3 writes every step's time to this file ({@link #writeStepTimes}); give it
     *     with one of them only, or the second replaces the first's
     */
    public record Options(int repeats, List<Integer> sizes, Path data, int latencyCalls, Integer steps, Integer epochs, double warmupSeconds,
                          Path stepTimes) {
        /** The defaults of bench/WORKLOADS.md. */
        public static final Options DEFAULT = new Options(DEFAULT_REPEATS, W1_SIZES, null, DEFAULT_LATENCY_CALLS, null, null, DEFAULT_WARMUP_SECONDS, null);

        /** The options without a step-times file. */
        public Options(int repeats, List<Integer> sizes, Path data, int latencyCalls, Integer steps, Integer epochs, double warmupSeconds) {
            this(repeats, sizes, data, latencyCalls, steps, epochs, warmupSeconds, null);
        }

        public Options {
            if (repeats < 1) throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
            if (sizes == null || sizes.isEmpty()) throw new IllegalArgumentException("sizes must name at least one matrix size");
            for (int n : sizes) if (n < 1 || n > 16384) throw new IllegalArgumentException("sizes must be in 1..16384, got " + n);
            sizes = List.copyOf(new java.util.LinkedHashSet<>(sizes));
            if (latencyCalls < 1) throw new IllegalArgumentException("latency calls must be >= 1, got " + latencyCalls);
            if (steps != null && steps < 2) throw new IllegalArgumentException("steps must be >= 2, got " + steps);
            if (epochs != null && (epochs < 1 || epochs > 1000)) throw new IllegalArgumentException("epochs must be in 1..1000, got " + epochs);
            if (epochs != null && steps != null) throw new IllegalArgumentException("give steps or epochs, not both");
            if (!(warmupSeconds >= 0) || warmupSeconds > 3600) throw new IllegalArgumentException("warm-up seconds must be in 0..3600, got " + warmupSeconds);
        }
    }

    /**
     * Runs workload {@code id} (one of {@link #IDS}, case-insensitive) and returns its figures;
     * progress lines go to {@code log}.
     *
     * @throws IllegalArgumentException for an unknown id
     * @throws IOException when W2 or W3 cannot read Fashion-MNIST (the message names the place)
     */
    public static Map<String, Object> run(String id, Options options, PrintWriter log) throws IOException {
        String w = id.toUpperCase(Locale.ROOT);
        Map<String, Object> m = header(w);
        switch (w) {
            case "W1" -> sgemm(options, m, log);
            case "W2" -> train(false, options, m, log);
            case "W3" -> train(true, options, m, log);
            case "W4" -> languageModel(false, options, m, log);
            case "W5" -> languageModel(true, options, m, log);
            case "W6" -> inference(options, m, log);
            default -> throw new IllegalArgumentException("unknown workload '" + id + "'; expected one of " + IDS + " or all");
        }
        long peakKb = peakRssKb();
        if (peakKb > 0) {
            m.put("peak_rss_mb", peakKb / 1024.0);
            m.put("peak_rss_workloads_before", workloadsRun);
        }
        workloadsRun++;
        return m;
    }

    /** Workloads run so far in this JVM (its peak resident memory covers them all). */
    private static int workloadsRun;

    /**
     * The process's peak resident set (VmHWM of /proc/self/status) in KiB, or -1 where there is no
     * such file. It covers the whole JVM since it started: the heap pages touched, the JIT's code,
     * the dataset, everything; bench/compare.sh runs each workload in a process of its own, so
     * there it is the workload's peak ({@code peak_rss_workloads_before} is then 0).
     */
    static long peakRssKb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: no figure
        }
        return -1;
    }

    private static Map<String, Object> header(String w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", w);
        m.put("system", "depth " + Checkpoint.depthVersion());
        m.put("available", true);
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("threads", Parallel.threads());
        m.put("kernels", Kernels.describe());
        m.put("gc", collectors());
        return m;
    }

    /** The JVM's garbage collectors by their management names, e.g. "ZGC Minor Cycles, ..." or "PS Scavenge, PS MarkSweep". */
    static String collectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    }

    private static void unavailable(Map<String, Object> m, String what, String reason) {
        m.put("description", what);
        m.put("available", false);
        m.put("reason", reason);
    }

    // ---- W1 -----------------------------------------------------------------------------------

    private static void sgemm(Options o, Map<String, Object> m, PrintWriter log) {
        Kernels.awaitWarmUp(); // timed calls: the background warm-up, if any, must not share the cores
        m.put("description", "sgemm C = A B, row-major square n x n, GFLOP/s = 2n^3/t");
        Map<String, Object> sizes = new LinkedHashMap<>();
        // The JIT compiles the Vector API kernels only after many calls (interpreted, they are ~1000x slower):
        // warm the GEMM up once at a middle size so that the first size measured is not penalised.
        float[] wa = random(256 * 256, 3), wc = new float[256 * 256];
        warmUp(() -> Gemm.sgemm(false, false, 256, 256, 256, 1f, wa, 0, 256, wa, 0, 256, 0f, wc, 0, 256), o.warmupSeconds());
        for (int n : o.sizes()) {
            float[] a = random(n * n, 1), b = random(n * n, 2), c = new float[n * n];
            double[] seconds = timeRepeats(() -> Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n), o.repeats(), o.warmupSeconds());
            double[] gflops = new double[seconds.length];
            for (int i = 0; i < seconds.length; i++) gflops[i] = 2.0 * n * n * n / seconds[i] / 1e9;
            Map<String, Object> s = stats(gflops);
            sizes.put(Integer.toString(n), s);
            log.printf(Locale.ROOT, "W1 n=%d: %.1f GFLOP/s (min %.1f, max %.1f, %d repeats)%n", n, s.get("median"), s.get("min"), s.get("max"), o.repeats());
            log.flush();
        }
        m.put("repeats", o.repeats());
        m.put("sizes", sizes);
    }

    // ---- W4, W5 -------------------------------------------------------------------------------

    /** Steps of W4 and of W5 when --steps is not given (as bench/pytorch/workloads.py), and their warm-up steps (excluded from the rate). */
    public static final int W4_STEPS = 110, W5_STEPS = 60, LM_WARMUP_STEPS = 10;

    /**
     * W4 (character LSTM LM: vocab 96, Embedding 64, LSTM 256, Linear 256-96, sequence 64, batch
     * 32, Adam 2e-3, full BPTT) or W5 (GPT: vocab 96, context 128, 4 layers, 4 heads, width 128,
     * MLP 4x GELU, pre-LayerNorm, batch 32, AdamW 3e-4) on random token ids: training tokens/s.
     */
    private static void languageModel(boolean gpt, Options o, Map<String, Object> m, PrintWriter log) {
        int batch = 32, seq = gpt ? 128 : 64, vocab = 96;
        int steps = o.steps() != null ? o.steps() : gpt ? W5_STEPS : W4_STEPS;
        m.put("description", gpt ? "GPT char LM (context 128, 4 layers, 4 heads, width 128, batch 32, AdamW 3e-4)"
                : "LSTM char LM (vocab 96, Embedding 64, LSTM 256, seq 64, batch 32, Adam 2e-3)");
        LanguageModel model;
        try (var scope = Init.seed(SEED)) {
            model = gpt ? new GptModel(GptModel.Config.W5) : new CharLstmModel(vocab, 64, 256, 1);
        }
        dev.depth.optim.Optimizer opt = gpt ? new dev.depth.optim.AdamW(model.parameters(), 3e-4) : new Adam(model.parameters(), 2e-3);
        dev.depth.tensor.Generator gen = new dev.depth.tensor.Generator(SEED);
        long tokens = 0, start = System.nanoTime();
        for (int step = 0; step < steps; step++) {
            if (step == Math.min(LM_WARMUP_STEPS, steps - 1)) {
                start = System.nanoTime();
                tokens = 0;
            }
            Tensor x = Tensor.wrap(randomTokens(gen, batch * seq, vocab), batch, seq), y = Tensor.wrap(randomTokens(gen, batch * seq, vocab), batch, seq);
            Tensor loss = model.loss(x, y);
            opt.zeroGrad(false); // in place, as PyTorch 1.13's zero_grad() on the other side
            loss.backward();
            opt.step();
            tokens += (long) batch * seq;
        }
        double rate = tokens / ((System.nanoTime() - start) / 1e9);
        m.put("steps", steps);
        m.put("tokens_per_s", rate);
        log.printf(Locale.ROOT, "%s: %,.0f tokens/s (%d steps, %d warm-up)%n", gpt ? "W5" : "W4", rate, steps, LM_WARMUP_STEPS);
        log.flush();
    }

    private static float[] randomTokens(dev.depth.tensor.Generator gen, int n, int vocab) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) t[i] = gen.nextInt(vocab);
        return t;
    }

    // ---- W2, W3 -------------------------------------------------------------------------------

    private static void train(boolean cnn, Options o, Map<String, Object> m, PrintWriter log) throws IOException {
        String w = cnn ? "W3" : "W2";
        int batchSize = cnn ? 64 : 128;
        boolean whole = o.epochs() != null; // Options allows epochs or steps, not both
        FashionMnist.Location location = FashionMnist.builder().directory(o.data()).build().locate();
        FashionMnist.Splits splits = FashionMnist.load(location, Integer.MAX_VALUE, whole ? Integer.MAX_VALUE : 1);
        TensorDataset train = splits.train();
        int perEpoch = (train.size() + batchSize - 1) / batchSize;
        int steps = whole ? Math.multiplyExact(o.epochs(), perEpoch) : o.steps() != null ? o.steps() : cnn ? W3_STEPS : W2_STEPS;
        if (steps <= WARMUP_STEPS)
            throw new IllegalArgumentException(w + ": steps must be > " + WARMUP_STEPS + " (the warm-up steps), got " + steps
                    + (whole ? String.format(Locale.ROOT, " (%d epochs of %,d images at batch %d)", o.epochs(), train.size(), batchSize) : ""));
        m.put("description", (cnn ? "CNN" : "MLP") + " on Fashion-MNIST, Adam lr 1e-3, batch " + batchSize + ", training samples/s after "
                + WARMUP_STEPS + " warm-up steps" + (whole ? ", over " + o.epochs() + " whole epochs" : ""));
        Module model;
        try (var scope = Init.seed(SEED)) {
            model = cnn ? Models.cnn() : Models.mlp();
        }
        model.train();
        Adam opt = new Adam(model.parameters(), 1e-3);
        DataLoader loader = DataLoader.builder(train).batchSize(batchSize).shuffle(SEED).build();
        int step = 0;
        long samples = 0, start = System.nanoTime();
        List<Double> epochSeconds = new ArrayList<>();
        float lastLoss = Float.NaN;
        // each step's time from the end of the step before, its batch's next() included (from the timed window's start
        // for its first step, as the figure counts it)
        long[] stepNanos = new long[steps];
        long stepStart = System.nanoTime();
        for (int epoch = 0; step < steps; epoch++) {
            long epochStart = System.nanoTime();
            try (DataLoader.BatchIterator it = loader.iterator(epoch)) {
                while (it.hasNext() && step < steps) {
                    Batch b = it.next();
                    if (step == WARMUP_STEPS) {
                        start = System.nanoTime();
                        stepStart = start;
                        samples = 0;
                    }
                    Tensor loss = F.crossEntropy(model.forward(b.x()), b.y());
                    opt.zeroGrad(false); // in place, as PyTorch 1.13's zero_grad() on the other side
                    loss.backward();
                    opt.step();
                    lastLoss = loss.item();
                    samples += b.size();
                    long now = System.nanoTime();
                    stepNanos[step++] = now - stepStart;
                    stepStart = now;
                }
            }
            long epochEnd = System.nanoTime();
            double es = (epochEnd - epochStart) / 1e9;
            epochSeconds.add(es);
            if (whole) {
                log.printf(Locale.ROOT, "%s: epoch %d of %d, %.2f s, loss %.4f%n", w, epoch + 1, o.epochs(), es, lastLoss);
                // The progress line is the benchmark's, not training's (the PyTorch script prints none): the clock
                // stops while it is written. Its first printf took 10-17 ms (Formatter's classes loaded and run cold),
                // counted in the next epoch's first step, and 0.5-1.5 ms after that (2026-11-27).
                long printed = System.nanoTime() - epochEnd;
                start += printed;
                stepStart += printed;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!Float.isFinite(lastLoss)) throw new ArithmeticException(w + ": training diverged, loss " + lastLoss);
        double rate = samples / seconds;
        m.put("samples_per_s", rate);
        m.put("steps", steps);
        m.put("warmup_steps", WARMUP_STEPS);
        m.put("batch_size", batchSize);
        m.put("timed_seconds", seconds);
        Map<String, Object> stepUs = stepSummary(Arrays.copyOfRange(stepNanos, WARMUP_STEPS, steps));
        m.put("step_us", stepUs);
        if (o.stepTimes() != null) {
            writeStepTimes(o.stepTimes(), stepNanos, WARMUP_STEPS);
            m.put("step_times_file", o.stepTimes().toString());
        }
        m.put("final_loss", lastLoss);
        m.put("data", location.directory().toString());
        String accuracy = "";
        if (whole) {
            m.put("epochs", o.epochs());
            m.put("epoch_seconds", epochSeconds);
            double acc = Trainer.evaluate(model, DataLoader.builder(splits.test()).batchSize(1000).build(), F::crossEntropy).accuracy();
            m.put("test_accuracy", acc);
            accuracy = String.format(Locale.ROOT, ", test accuracy %.4f after %d epochs", acc, o.epochs());
        }
        log.printf(Locale.ROOT, "%s: %,.0f samples/s (%d steps after %d warm-up, %.2f s), loss %.4f%s%n",
                w, rate, steps - WARMUP_STEPS, WARMUP_STEPS, seconds, lastLoss, accuracy);
        log.printf(Locale.ROOT, "%s: timed steps %s%n", w, describeSteps(stepUs));
        log.flush();
    }

    // ---- W6 -----------------------------------------------------------------------------------

    private static void inference(Options o, Map<String, Object> m, PrintWriter log) {
        Kernels.awaitWarmUp(); // timed calls: the background warm-up, if any, must not share the cores
        m.put("description", "W2's MLP inference (eval, no graph, frozen: weights packed once): batch-1 latency, batch-256 samples/s");
        Sequential model;
        try (var scope = Init.seed(SEED)) {
            model = Models.mlp();
        }
        model.eval();
        // The figures are the frozen model's (Sequential.freeze: the same outputs, bit for bit, with the weights
        // packed for the GEMM once instead of on every call); the plain model's batch-256 rate is recorded beside them.
        Sequential frozen = model.freeze();
        Generator gen = new Generator(SEED);
        Tensor one = Tensor.rand(gen, 1, 784), batch = Tensor.rand(gen, 256, 784);
        float[] sink = new float[1];
        double[] latencyUs = new double[o.latencyCalls()];
        Map<String, Object> b256, b256Plain;
        try (var scope = Autograd.noGrad()) {
            Runnable call1 = () -> sink[0] += first(frozen.forward(one));
            warmUp(call1, o.warmupSeconds());
            for (int i = 0; i < latencyUs.length; i++) {
                long t0 = System.nanoTime();
                call1.run();
                latencyUs[i] = (System.nanoTime() - t0) / 1e3;
            }
            b256 = batchRates(() -> sink[0] += first(frozen.forward(batch)), o);
            b256Plain = batchRates(() -> sink[0] += first(model.forward(batch)), o);
        }
        Map<String, Object> b1 = stats(latencyUs);
        double[] sorted = latencyUs.clone();
        Arrays.sort(sorted);
        m.put("b1_latency_us", b1.get("median"));
        m.put("b1_latency_us_p10", quantile(sorted, 0.1));
        m.put("b1_latency_us_p90", quantile(sorted, 0.9));
        m.put("b1_calls", o.latencyCalls());
        m.put("b256_samples_per_s", b256.get("median"));
        m.put("b256_samples_per_s_min", b256.get("min"));
        m.put("b256_samples_per_s_max", b256.get("max"));
        m.put("b256_samples_per_s_unfrozen", b256Plain.get("median"));
        m.put("frozen", true);
        m.put("repeats", o.repeats());
        m.put("checksum", sink[0]);
        log.printf(Locale.ROOT, "W6: batch 1 %.1f us median (p10 %.1f, p90 %.1f, %,d calls); batch 256 %,.0f samples/s (min %,.0f, max %,.0f); "
                        + "the model not frozen: batch 256 %,.0f samples/s%n",
                b1.get("median"), quantile(sorted, 0.1), quantile(sorted, 0.9), o.latencyCalls(), b256.get("median"), b256.get("min"), b256.get("max"),
                b256Plain.get("median"));
        log.flush();
    }

    /** Samples/s of batch-256 calls: the median, min and max over the repeats. */
    private static Map<String, Object> batchRates(Runnable call, Options o) {
        double[] seconds = timeRepeats(call, o.repeats(), o.warmupSeconds());
        double[] rates = new double[seconds.length];
        for (int i = 0; i < seconds.length; i++) rates[i] = 256 / seconds[i];
        return stats(rates);
    }

    // ---- timing -------------------------------------------------------------------------------

    /**
     * Warms {@code body} up until it runs steadily: at least {@code seconds} and {@link #WARMUP_CALLS}
     * calls, then on in rounds of about a tenth of that until, after at least {@link #STEADY_MIN_CALLS} calls,
     * two rounds in a row agree within 5%
     * (the JIT may recompile a kernel long after the first calls, e.g. when W6 moves from batch 1 to
     * batch 256), for at most ten times {@code seconds} plus 2 s. Returns seconds per call of the last round.
     */
    private static double warmUp(Runnable body, double seconds) {
        long t0 = System.nanoTime();
        int calls = 0;
        while (calls < WARMUP_CALLS || System.nanoTime() - t0 < seconds * 1e9) {
            body.run();
            calls++;
        }
        double perCall = (System.nanoTime() - t0) / 1e9 / calls;
        double limit = 10 * seconds + 2, previous = Double.NaN;
        int roundCalls = (int) Math.max(WARMUP_CALLS, Math.min(1_000_000, Math.ceil(Math.max(0.1 * seconds, MIN_REP_SECONDS) / Math.max(perCall, 1e-9))));
        while ((System.nanoTime() - t0) / 1e9 < limit) {
            long r0 = System.nanoTime();
            for (int i = 0; i < roundCalls; i++) body.run();
            perCall = (System.nanoTime() - r0) / 1e9 / roundCalls;
            calls += roundCalls;
            if (calls >= STEADY_MIN_CALLS && Math.abs(perCall - previous) <= 0.05 * previous) break;
            previous = perCall;
        }
        return perCall;
    }

    /**
     * Seconds per call of {@code body}, once per repetition, after a warm-up of {@code warmupSeconds}; each repetition
     * times enough back-to-back calls to last about {@link #MIN_REP_SECONDS}.
     */
    static double[] timeRepeats(Runnable body, int repeats, double warmupSeconds) {
        double perCall = warmUp(body, warmupSeconds);
        int calls = (int) Math.max(1, Math.min(1_000_000, Math.ceil(MIN_REP_SECONDS / Math.max(perCall, 1e-9))));
        double[] s = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) body.run();
            s[r] = (System.nanoTime() - t0) / 1e9 / calls;
        }
        return s;
    }

    /** {median, min, max} of the values (at least one). */
    public static Map<String, Object> stats(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("median", quantile(v, 0.5));
        s.put("min", v[0]);
        s.put("max", v[v.length - 1]);
        return s;
    }

    /** A step is counted as slow above this multiple of the median step ({@link #stepSummary}). */
    public static final double SLOW_STEP = 1.3;

    /**
     * The timed steps' times in microseconds: {@code median}, {@code mean}, {@code p90}, {@code max},
     * {@code slow_steps} (how many took more than {@link #SLOW_STEP} times the median) and {@code slow_excess}
     * (the share of all the steps' time that those steps took beyond the median: what the figure would gain if they
     * had taken the median). In a short run the mean is well above the median when another thread (the JIT's
     * compilers, the collector) takes one of the cores for a while (bench/README.md, "The window's compilations").
     */
    public static Map<String, Object> stepSummary(long[] nanos) {
        Map<String, Object> s = new LinkedHashMap<>();
        if (nanos.length == 0) return s;
        double[] us = new double[nanos.length];
        double total = 0;
        for (int i = 0; i < us.length; i++) total += us[i] = nanos[i] / 1e3;
        double[] sorted = us.clone();
        Arrays.sort(sorted);
        double median = quantile(sorted, 0.5), excess = 0;
        int slow = 0;
        for (double u : us) {
            if (u > SLOW_STEP * median) {
                slow++;
                excess += u - median;
            }
        }
        s.put("median", median);
        s.put("mean", total / us.length);
        s.put("p90", quantile(sorted, 0.9));
        s.put("max", sorted[sorted.length - 1]);
        s.put("slow_steps", slow);
        s.put("slow_excess", total > 0 ? excess / total : 0.0);
        return s;
    }

    /** One line for the log and the table: "median 935 us, mean 1,053 us (+12.6%), 47 steps above 1.3x the median (8.1% of the time)". */
    public static String describeSteps(Map<String, Object> s) {
        if (s.isEmpty()) return "none";
        double median = ((Number) s.get("median")).doubleValue(), mean = ((Number) s.get("mean")).doubleValue();
        return String.format(Locale.ROOT, "median %,.0f us, mean %,.0f us (%+.1f%%), %d above %.1fx the median (%.1f%% of the time beyond it)",
                median, mean, 100 * (mean / median - 1), ((Number) s.get("slow_steps")).intValue(), SLOW_STEP,
                100 * ((Number) s.get("slow_excess")).doubleValue());
    }

    /**
     * Writes {@code step,us,timed} for every step (timed: 1 for the steps the figure counts, after {@code warmup}), as
     * CSV with a header line, replacing {@code file} atomically ({@link AtomicFiles}).
     *
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    static void writeStepTimes(Path file, long[] nanos, int warmup) {
        StringBuilder sb = new StringBuilder("step,us,timed\n");
        for (int i = 0; i < nanos.length; i++)
            sb.append(i + 1).append(',').append(String.format(Locale.ROOT, "%.1f", nanos[i] / 1e3)).append(',').append(i >= warmup ? 1 : 0).append('\n');
        try {
            AtomicFiles.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("bench: cannot write the step times to " + file + ": " + e, e);
        }
    }

    /** The q-quantile of sorted values, interpolating between neighbours (q = 0.5: the median). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** The first element of t (keeps the result alive without a copy). */
    private static float first(Tensor t) {
        return t.storage()[t.offset()];
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** The names of the workloads that {@code args} asks for: ids in order, "all" for every one. */
    public static List<String> select(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            for (String part : a.split(",")) {
                String p = part.trim().toUpperCase(Locale.ROOT);
                if (p.isEmpty()) continue;
                if (p.equals("ALL")) {
                    for (String id : IDS) if (!out.contains(id)) out.add(id);
                } else if (IDS.contains(p)) {
                    if (!out.contains(p)) out.add(p);
                } else {
                    throw new IllegalArgumentException("unknown workload '" + part.trim() + "'; expected one of " + IDS + " or all");
                }
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("name at least one workload: " + IDS + " or all");
        return out;
    }
}
