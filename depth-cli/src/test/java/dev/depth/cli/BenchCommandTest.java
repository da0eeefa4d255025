package dev.depth.cli;

import dev.depth.io.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        assertTrue(CliTest.run("bench", "--help").out().contains("--jmh"));
    }

    @Test
    void jmhListsTheKernelBenchmarks() {
        CliTest.Run r = CliTest.run("bench", "--jmh", "--", "-l", "GemmBench");
        assertEquals(0, r.code(), r.err());
    }
}
