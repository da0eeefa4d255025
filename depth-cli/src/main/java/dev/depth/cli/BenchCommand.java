package dev.depth.cli;

import dev.depth.bench.Workloads;
import dev.depth.io.Json;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code depth bench}: the workload benchmarks of bench/WORKLOADS.md, or the JMH kernel benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the benchmark workloads of bench/WORKLOADS.md on Depth and print a table (or JSON lines with --json).",
                "W1 sgemm GFLOP/s, W2 MLP and W3 CNN training samples/s on Fashion-MNIST, W4 LSTM and W5 GPT "
                        + "tokens/s, W6 MLP inference latency and throughput. bench/compare.sh compares with PyTorch.",
                "With --jmh, runs the JMH micro-benchmarks of the kernels instead; the arguments are JMH's (a regex, "
                        + "-p name=value, -prof gc, ...; put them after --)."},
        footer = {"", "Examples:",
                "  depth bench W1 --sizes 256,1024            sgemm at two sizes",
                "  depth bench all --json                     every workload, one JSON line each",
                "  depth bench --jmh GemmBench                the GEMM micro-benchmarks",
                "  depth bench --jmh -- TensorOps -prof gc    with the allocation rate (gc.alloc.rate.norm: bytes per call)"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "WORKLOAD", arity = "0..*",
            description = "W1 ... W6 or all (default: all); with --jmh, JMH's arguments.")
    List<String> args = new ArrayList<>();

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "" + Workloads.DEFAULT_REPEATS,
            description = "Timed repetitions of W1 (per size) and of W6's batch-256 figure (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--sizes", paramLabel = "N[,N...]", split = ",",
            description = "W1's matrix sizes (default: 128,256,512,1024,2048).")
    List<Integer> sizes;

    @Option(names = "--steps", paramLabel = "N",
            description = "Training steps in all: W2 and W3 including the " + Workloads.WARMUP_STEPS + " warm-up steps "
                    + "(default: " + Workloads.W2_STEPS + " for W2, one epoch; " + Workloads.W3_STEPS + " for W3); W4 and W5 including "
                    + Workloads.LM_WARMUP_STEPS + " (default: " + Workloads.W4_STEPS + " for W4, " + Workloads.W5_STEPS + " for W5).")
    Integer steps;

    @Option(names = "--epochs", paramLabel = "N",
            description = "W2 and W3: train N whole epochs instead of --steps, and also report each epoch's seconds and the test accuracy "
                    + "(WORKLOADS.md's W2 is 5 epochs, W3 2).")
    Integer epochs;

    @Option(names = "--latency-calls", paramLabel = "N", defaultValue = "" + Workloads.DEFAULT_LATENCY_CALLS,
            description = "W6's timed batch-1 calls (default: ${DEFAULT-VALUE}).")
    int latencyCalls;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "" + Workloads.DEFAULT_WARMUP_SECONDS,
            description = "Warm-up before each W1 size and each W6 figure (default: ${DEFAULT-VALUE}; at least 10 calls too).")
    double warmupSeconds;

    @Option(names = "--step-times", paramLabel = "FILE",
            description = "W2 or W3 (one of them): write every training step's time to FILE as CSV (step,us,timed); the table and "
                    + "the JSON (step_us) always give the timed steps' median, mean and slow steps.")
    Path stepTimes;

    @Option(names = "--jmh", description = "Run the JMH micro-benchmarks (dev.depth.bench.jmh) with the given JMH arguments.")
    boolean jmh;

    @Override
    public Integer call() throws Exception {
        if (jmh) return runJmh();
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        List<String> ids;
        Workloads.Options options;
        try {
            ids = Workloads.select(args.isEmpty() ? List.of("all") : args);
            if (stepTimes != null && ids.stream().filter(id -> id.equals("W2") || id.equals("W3")).count() != 1)
                throw new IllegalArgumentException("--step-times takes one training workload, W2 or W3, got " + String.join(" ", ids));
            if (stepTimes != null && !java.nio.file.Files.isDirectory(stepTimes.toAbsolutePath().getParent()))
                throw new IllegalArgumentException("--step-times: the directory " + stepTimes.toAbsolutePath().getParent() + " does not exist");
            options = new Workloads.Options(repeats, sizes == null ? Workloads.W1_SIZES : sizes, common.data, latencyCalls, steps, epochs, warmupSeconds,
                    stepTimes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (ids.stream().anyMatch(id -> List.of("W2", "W3", "W4", "W5").contains(id))) common.applyThreadsForTraining(spec);
        else common.applyThreads(spec); // W1 and W6 wait for the warm-ups: none they do not need
        err.printf(Locale.ROOT, "depth bench %s | %s %s | kernels: %s%n", String.join(" ", ids),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), dev.depth.kernel.Kernels.describe());
        err.flush();
        List<String> rows = new ArrayList<>();
        for (String id : ids) {
            Map<String, Object> m = Workloads.run(id, options, err);
            if (common.json) {
                out.println(Json.write(m));
                out.flush();
            }
            rows.addAll(rows(m));
        }
        if (!common.json) {
            out.printf(Locale.ROOT, "%-4s %-28s %14s   %s%n", "id", "figure", "median", "min - max");
            for (String r : rows) out.println(r);
            out.printf(Locale.ROOT, "(kernels: %s)%n", dev.depth.kernel.Kernels.describe());
            out.flush();
        }
        return 0;
    }

    /** Table rows for one workload's figures. */
    @SuppressWarnings("unchecked")
    static List<String> rows(Map<String, Object> m) {
        String w = (String) m.get("workload");
        List<String> rows = new ArrayList<>();
        if (!Boolean.TRUE.equals(m.get("available"))) {
            rows.add(String.format(Locale.ROOT, "%-4s %-28s %14s   %s", w, "not available", "-", m.get("reason")));
            return rows;
        }
        switch (w) {
            case "W1" -> ((Map<String, Object>) m.get("sizes")).forEach((n, s) -> {
                Map<String, Object> st = (Map<String, Object>) s;
                rows.add(String.format(Locale.ROOT, "%-4s %-28s %14.1f   %.1f - %.1f", w, "sgemm n=" + n + " GFLOP/s",
                        num(st.get("median")), num(st.get("min")), num(st.get("max"))));
            });
            case "W2", "W3" -> {
                rows.add(String.format(Locale.ROOT, "%-4s %-28s %,14.0f   (%d steps)", w,
                        (w.equals("W2") ? "MLP" : "CNN") + " training samples/s", num(m.get("samples_per_s")), ((Number) m.get("steps")).intValue()));
                if (m.get("step_us") instanceof Map<?, ?> st && !st.isEmpty())
                    rows.add(String.format(Locale.ROOT, "%-4s %-28s %,14.0f   %s", w, "timed step, us (median)", num(st.get("median")),
                            Workloads.describeSteps((Map<String, Object>) st)));
                if (m.get("epoch_seconds") instanceof List<?> es && !es.isEmpty()) {
                    // The first epoch carries the JIT's warm-up: shown apart, the median of the others as the figure.
                    double first = ((Number) es.get(0)).doubleValue();
                    Map<String, Object> rest = Workloads.stats(es.stream().skip(es.size() > 1 ? 1 : 0).mapToDouble(v -> ((Number) v).doubleValue()).toArray());
                    rows.add(String.format(Locale.ROOT, "%-4s %-28s %14.2f   %s", w, "seconds per epoch", num(rest.get("median")), es.size() > 1
                            ? String.format(Locale.ROOT, "%.2f - %.2f after the first; the first %.2f", num(rest.get("min")), num(rest.get("max")), first)
                            : "(one epoch)"));
                    rows.add(String.format(Locale.ROOT, "%-4s %-28s %14.4f   (after %d epochs)", w, "test accuracy",
                            num(m.get("test_accuracy")), ((Number) m.get("epochs")).intValue()));
                }
            }
            case "W4", "W5" -> rows.add(String.format(Locale.ROOT, "%-4s %-28s %,14.0f   (%d steps)", w,
                    (w.equals("W4") ? "LSTM LM" : "GPT LM") + " training tokens/s", num(m.get("tokens_per_s")), ((Number) m.get("steps")).intValue()));
            case "W6" -> {
                rows.add(String.format(Locale.ROOT, "%-4s %-28s %14.1f   p10 %.1f - p90 %.1f", w, "batch-1 latency us",
                        num(m.get("b1_latency_us")), num(m.get("b1_latency_us_p10")), num(m.get("b1_latency_us_p90"))));
                rows.add(String.format(Locale.ROOT, "%-4s %-28s %,14.0f   %,.0f - %,.0f", w, "batch-256 samples/s",
                        num(m.get("b256_samples_per_s")), num(m.get("b256_samples_per_s_min")), num(m.get("b256_samples_per_s_max"))));
                if (m.get("b256_samples_per_s_unfrozen") instanceof Number plain)
                    rows.add(String.format(Locale.ROOT, "%-4s %-28s %,14.0f   (the figures above: the model frozen)", w, "batch-256, not frozen", plain.doubleValue()));
            }
            default -> rows.add(w + " " + Json.write(m));
        }
        if (m.get("peak_rss_mb") instanceof Number rss) {
            int before = m.get("peak_rss_workloads_before") instanceof Number n ? n.intValue() : 0;
            rows.add(String.format(Locale.ROOT, "%-4s %-28s %,14.0f   %s", w, "peak resident memory MB", rss.doubleValue(),
                    before == 0 ? "(the JVM's peak)" : "(the JVM's peak, " + before + " workload(s) before it in this JVM)"));
        }
        return rows;
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    /**
     * The forks' JVM flags, where the arguments give none: this JVM's own flags without its garbage
     * collector (JMH hands a fork its parent's flags by default, and the benchmarks' {@code @Fork}
     * annotations append a collector of their own; two collectors stop the fork from starting).
     */
    static org.openjdk.jmh.runner.options.Options forkOptions(CommandLineOptions options) {
        if (options.getJvmArgs().hasValue()) return options;
        List<String> inherited = new ArrayList<>();
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (!isCollectorFlag(a)) inherited.add(a);
        return new org.openjdk.jmh.runner.options.OptionsBuilder().parent(options).jvmArgs(inherited.toArray(new String[0])).build();
    }

    /** A flag that picks or sizes a garbage collector: the launcher's, which a benchmark's own choice replaces. */
    static boolean isCollectorFlag(String jvmArg) {
        return jvmArg.matches("-XX:[+-]Use\\w*GC") || jvmArg.startsWith("-XX:SoftMaxHeapSize") || jvmArg.startsWith("-Ddepth.softMaxHeap")
                || jvmArg.startsWith("-Xmn") || jvmArg.startsWith("-Xms");
    }

    /** Runs JMH in this process; the benchmarks fork JVMs with this classpath (see dev.depth.bench.jmh). */
    private int runJmh() throws RunnerException {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args.toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            throw new ParameterException(spec.commandLine(), "bad JMH arguments " + args + ": " + e.getMessage());
        }
        if (options.shouldHelp()) {
            try {
                options.showHelp();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return 0;
        }
        Runner runner = new Runner(forkOptions(options));
        if (options.shouldList()) runner.list();
        else runner.run();
        return 0;
    }
}
