package dev.depth.cli;

import dev.depth.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** {@code depth bench}: the workloads' JSON keys and errors, on sizes small enough for a unit test. */
class BenchCommandTest {
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jsonLines(String out) {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : out.strip().split("\n")) lines.add((Map<String, Object>) Json.parse(line));
        return lines;
    }

    static void assertCommonKeys(Map<String, Object> m, String workload) {
        assertEquals(workload, m.get("workload"));
        for (String k : new String[] {"system", "available", "jdk", "threads", "kernels", "gc"}) assertTrue(m.containsKey(k), k + " in " + m);
    }

    @Test
    @SuppressWarnings("unchecked")
    void w1AndW6WriteTheirFiguresAsJson() {
        CliTest.Run r = CliTest.run("bench", "W1", "W6", "--sizes", "16,64", "--repeats", "3", "--latency-calls", "50", "--warmup", "0.05", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> lines = jsonLines(r.out());
        assertEquals(2, lines.size(), r.out());
        Map<String, Object> w1 = lines.get(0);
        assertCommonKeys(w1, "W1");
        assertEquals(1, ((Number) w1.get("threads")).intValue());
        Map<String, Object> sizes = (Map<String, Object>) w1.get("sizes");
        assertEquals(List.of("16", "64"), new ArrayList<>(sizes.keySet()));
        for (Object s : sizes.values()) {
            Map<String, Object> st = (Map<String, Object>) s;
            double min = ((Number) st.get("min")).doubleValue(), med = ((Number) st.get("median")).doubleValue(), max = ((Number) st.get("max")).doubleValue();
            assertTrue(0 < min && min <= med && med <= max, st.toString());
        }
        Map<String, Object> w6 = lines.get(1);
        assertCommonKeys(w6, "W6");
        assertTrue(((Number) w6.get("b1_latency_us")).doubleValue() > 0, w6.toString());
        assertTrue(((Number) w6.get("b256_samples_per_s")).doubleValue() > 0, w6.toString());
        assertTrue(((Number) w6.get("b256_samples_per_s_unfrozen")).doubleValue() > 0, w6.toString());
        assertEquals(Boolean.TRUE, w6.get("frozen"), w6.toString());
    }

    @Test
    void languageModelWorkloadsReportTokensPerSecond() {
        CliTest.Run r = CliTest.run("bench", "W4,W5", "--json", "--steps", "2");
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> lines = jsonLines(r.out());
        assertEquals(2, lines.size());
        for (Map<String, Object> m : lines) {
            assertEquals(true, m.get("available"), m.toString());
            assertTrue(((Number) m.get("tokens_per_s")).doubleValue() > 0, m.toString());
        }
        CliTest.Run table = CliTest.run("bench", "w4", "--steps", "2");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("LSTM LM training tokens/s"), table.out());
    }

    /** Writes an uncompressed IDX file of unsigned bytes with the given dimensions and random contents below {@code bound}. */
    static void idx(Path file, int bound, SplittableRandom gen, int... dims) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        int n = 1;
        for (int d : dims) {
            out.writeInt(d);
            n *= d;
        }
        for (int i = 0; i < n; i++) out.writeByte(gen.nextInt(bound));
        Files.write(file, bytes.toByteArray());
    }

    @Test
    @SuppressWarnings("unchecked")
    void wholeEpochsReportEachEpochAndTheTestAccuracy(@TempDir Path dir) throws IOException {
        SplittableRandom gen = new SplittableRandom(7);
        int train = 3300, test = 100; // 26 batches of 128 per epoch: 52 steps in 2 epochs, past the 50 warm-up steps
        idx(dir.resolve("train-images-idx3-ubyte"), 256, gen, train, 28, 28);
        idx(dir.resolve("train-labels-idx1-ubyte"), 10, gen, train);
        idx(dir.resolve("t10k-images-idx3-ubyte"), 256, gen, test, 28, 28);
        idx(dir.resolve("t10k-labels-idx1-ubyte"), 10, gen, test);
        CliTest.Run r = CliTest.run("bench", "W2", "--epochs", "2", "--data", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = jsonLines(r.out()).get(0);
        assertCommonKeys(m, "W2");
        assertEquals(52, ((Number) m.get("steps")).intValue(), m.toString());
        assertEquals(2, ((Number) m.get("epochs")).intValue());
        List<Object> seconds = (List<Object>) m.get("epoch_seconds");
        assertEquals(2, seconds.size(), m.toString());
        for (Object s : seconds) assertTrue(((Number) s).doubleValue() > 0, m.toString());
        double accuracy = ((Number) m.get("test_accuracy")).doubleValue();
        assertTrue(accuracy >= 0 && accuracy <= 1 && Math.abs(accuracy * test - Math.rint(accuracy * test)) < 1e-6, m.toString());
        assertTrue(((Number) m.get("samples_per_s")).doubleValue() > 0, m.toString());
        assertTrue(r.err().contains("W2: epoch 2 of 2"), r.err());
        Map<String, Object> stepUs = (Map<String, Object>) m.get("step_us"); // the 2 timed steps of the 52
        assertTrue(((Number) stepUs.get("median")).doubleValue() > 0 && ((Number) stepUs.get("max")).doubleValue() >= ((Number) stepUs.get("median")).doubleValue(), m.toString());
        assertTrue(((Number) stepUs.get("slow_steps")).intValue() <= 1, m.toString()); // of two steps, at most one is above 1.3x their median
        Path csv = dir.resolve("steps.csv");
        CliTest.Run withFile = CliTest.run("bench", "W2", "--epochs", "2", "--data", dir.toString(), "--step-times", csv.toString(), "--json");
        assertEquals(0, withFile.code(), withFile.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,us,timed", lines.get(0));
        assertEquals(53, lines.size(), "a header and 52 steps");
        assertTrue(lines.get(50).endsWith(",0") && lines.get(51).endsWith(",1") && lines.get(52).startsWith("52,"), lines.toString());
        for (String line : lines.subList(1, lines.size())) assertTrue(Double.parseDouble(line.split(",")[1]) > 0, line);
        CliTest.Run twoWorkloads = CliTest.run("bench", "W2", "W3", "--step-times", csv.toString());
        assertNotEquals(0, twoWorkloads.code());
        assertTrue(twoWorkloads.err().contains("--step-times takes one training workload, W2 or W3, got W2 W3"), twoWorkloads.err());
        CliTest.Run noDir = CliTest.run("bench", "W2", "--step-times", dir.resolve("missing").resolve("x.csv").toString());
        assertNotEquals(0, noDir.code());
        assertTrue(noDir.err().contains("does not exist"), noDir.err());
        CliTest.Run table = CliTest.run("bench", "W2", "--epochs", "2", "--data", dir.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("timed step, us (median)"), table.out());
        assertTrue(table.out().contains("seconds per epoch") && table.out().contains("after the first; the first"), table.out());
        assertTrue(table.out().contains("test accuracy") && table.out().contains("(after 2 epochs)"), table.out());

        CliTest.Run few = CliTest.run("bench", "W2", "--epochs", "1", "--data", dir.toString());
        assertNotEquals(0, few.code(), few.err());
        assertTrue(few.err().contains("W2: steps must be > 50 (the warm-up steps), got 26 (1 epochs of 3,300 images at batch 128)"), few.err());
    }

    @Test
    void stepSummaryCountsTheSlowStepsAndTheirShareOfTheTime() {
        Map<String, Object> s = dev.depth.bench.Workloads.stepSummary(new long[] {1000, 1000, 1000, 2000, 5000}); // 1, 1, 1, 2, 5 us
        assertEquals(1.0, ((Number) s.get("median")).doubleValue(), 1e-12);
        assertEquals(2.0, ((Number) s.get("mean")).doubleValue(), 1e-12);
        assertEquals(3.8, ((Number) s.get("p90")).doubleValue(), 1e-12);
        assertEquals(5.0, ((Number) s.get("max")).doubleValue(), 1e-12);
        assertEquals(2, ((Number) s.get("slow_steps")).intValue());
        assertEquals(0.5, ((Number) s.get("slow_excess")).doubleValue(), 1e-12); // (2 - 1) + (5 - 1) of 10 us
        assertTrue(dev.depth.bench.Workloads.stepSummary(new long[0]).isEmpty());
        assertEquals("median 1 us, mean 2 us (+100.0%), 2 above 1.3x the median (50.0% of the time beyond it)",
                dev.depth.bench.Workloads.describeSteps(s));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        CliTest.Run r = CliTest.run("bench", "W9");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("unknown workload 'W9'"), r.err());
        r = CliTest.run("bench", "W1", "--repeats", "0");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("repeats"), r.err());
        r = CliTest.run("bench", "W2", "--steps", "1");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("steps must be >= 2"), r.err());
        r = CliTest.run("bench", "W2", "--steps", "100", "--epochs", "1");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("give steps or epochs, not both"), r.err());
        r = CliTest.run("bench", "W2", "--epochs", "0");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("epochs must be in 1..1000"), r.err());
        assertTrue(CliTest.run("bench", "--help").out().contains("--jmh"));
    }

    @Test
    void jmhListsTheKernelBenchmarks() {
        CliTest.Run r = CliTest.run("bench", "--jmh", "--", "-l", "GemmBench");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void jmhForksGetTheLaunchersFlagsWithoutItsCollector() throws Exception {
        // The launcher runs on ZGC with a heap goal; the benchmarks' @Fork annotations add ParallelGC,
        // and a fork with both did not start ("Multiple garbage collectors selected").
        for (String gc : List.of("-XX:+UseZGC", "-XX:+UseParallelGC", "-XX:+UseG1GC", "-XX:SoftMaxHeapSize=1g",
                "-Ddepth.softMaxHeap=640m", "-Xmn1g", "-Xms2g"))
            assertTrue(BenchCommand.isCollectorFlag(gc), gc);
        for (String other : List.of("-Xss4m", "-Xmx8g", "--add-modules=jdk.incubator.vector", "-Ddepth.launcher=./depth",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:+UseCompressedOops", "-XX:+UseTransparentHugePages"))
            assertFalse(BenchCommand.isCollectorFlag(other), other);

        var inherited = BenchCommand.forkOptions(new org.openjdk.jmh.runner.options.CommandLineOptions("GemmBench"));
        assertTrue(inherited.getJvmArgs().hasValue(), "the forks get this JVM's flags explicitly");
        for (String a : inherited.getJvmArgs().get()) assertFalse(BenchCommand.isCollectorFlag(a), a);
        assertEquals(List.of("-Xmx1g"), new ArrayList<>(BenchCommand.forkOptions(
                new org.openjdk.jmh.runner.options.CommandLineOptions("GemmBench", "-jvmArgs", "-Xmx1g")).getJvmArgs().get()),
                "JVM flags given to JMH are left alone");
    }
}
