package dev.depth.cli;

import dev.depth.io.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    static boolean haveData() {
        boolean present = Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist"))
                || System.getenv("DEPTH_DATA") != null
                || Files.isDirectory(Path.of(System.getProperty("user.home"), ".cache/depth/datasets/fashion-mnist"));
        if (!present && "1".equals(System.getenv("DEPTH_REQUIRE_DATA"))) fail("Fashion-MNIST is required (DEPTH_REQUIRE_DATA=1) but not installed");
        return present;
    }

    @Test
    void helpListsCommandsAndOptions() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("train") && r.out().contains("eval"), r.out());
        Run t = run("train", "--help");
        for (String opt : new String[] {"--model", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed", "--threads", "--data", "--out", "--json"})
            assertTrue(t.out().contains(opt), "train --help lacks " + opt + ":\n" + t.out());
        assertTrue(run("eval", "--help").out().contains("--checkpoint"));
        assertEquals(0, run("--version").code());
    }

    @Test
    void badOptionsGiveOneClearLineAndUsageExit() {
        Run r = run("train", "--model", "resnet");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("--model must be one of [mlp, cnn, lstm-lm, gpt]"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        r = run("train", "--epochs", "zero");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("--epochs"), r.err());
        r = run("train", "--lr", "-1");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("--lr"), r.err());
        r = run("train", "--threads", "0");
        assertEquals(Main.EXIT_USAGE, r.code());
        r = run("frobnicate");
        assertEquals(Main.EXIT_USAGE, r.code());
    }

    @Test
    void missingOrCorruptDataIsOneLineError(@TempDir Path dir) throws Exception {
        Run r = run("train", "--data", dir.toString(), "--epochs", "1");
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains(dir.toString()), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
            Files.write(dir.resolve(f), new byte[] {0, 0, 8, 3, 0, 0});
        r = run("train", "--data", dir.toString(), "--epochs", "1");
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("-idx"), r.err());
        r = run("train", "--data", dir.toString(), "--epochs", "1", "--verbose");
        assertTrue(r.err().contains("\tat "), "stack trace with --verbose");
        r = run("eval", "--checkpoint", dir.resolve("nope").toString());
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("nope"), r.err());
    }

    @Test
    void trainsSavesAndReEvaluates(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(haveData(), "Fashion-MNIST not installed");
        Path out = dir.resolve("ckpt");
        Run r = run("train", "--model", "mlp", "--epochs", "1", "--limit-train", "3000", "--limit-test", "1000",
                "--out", out.toString(), "--json", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.parse(lines[lines.length - 1]);
        for (String k : new String[] {"test_accuracy", "test_loss", "samples_per_s", "epochs"}) assertTrue(m.containsKey(k), k + " in " + m);
        double acc = ((Number) m.get("test_accuracy")).doubleValue();
        assertTrue(acc > 0.6, "accuracy " + acc);
        assertTrue(Files.exists(out.resolve("model.safetensors")) && Files.exists(out.resolve("config.json")));
        Run e = run("eval", "--checkpoint", out.toString(), "--limit-test", "1000", "--json");
        assertEquals(0, e.code(), e.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> em = (Map<String, Object>) Json.parse(e.out().strip());
        assertEquals(acc, ((Number) em.get("test_accuracy")).doubleValue(), 1e-9);
    }

    @Test
    void trainsALanguageModelOnAGivenTextAndGenerates(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "the cat sat on the mat. the dog sat on the log. ".repeat(40));
        Path out = dir.resolve("lm");
        for (String model : new String[] {"gpt", "lstm-lm"}) {
            Run r = run("train", "--model", model, "--text", text.toString(), "--steps", "3", "--context", "16", "--batch-size", "2",
                    "--out", out.toString(), "--json");
            assertEquals(0, r.code(), r.err());
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(r.out().strip());
            for (String k : new String[] {"val_loss", "val_bits_per_char", "unigram_bits_per_char", "tokens_per_s", "sample"})
                assertTrue(m.containsKey(k), k + " in " + m);
            Run g = run("generate", "--checkpoint", out.toString(), "--prompt", "the ", "--tokens", "10", "--json", "--compare-uncached");
            assertEquals(0, g.code(), g.err());
            @SuppressWarnings("unchecked")
            Map<String, Object> gm = (Map<String, Object>) Json.parse(g.out().strip());
            assertEquals(10, ((String) gm.get("text")).codePointCount(0, ((String) gm.get("text")).length()), "10 characters from a char model");
        }
        Run bad = run("generate", "--checkpoint", out.toString(), "--top-p", "0");
        assertEquals(Main.EXIT_USAGE, bad.code());
        assertTrue(bad.err().contains("topP"), bad.err());
    }

    @Test
    void trainsSyntheticTasks() {
        for (String task : new String[] {"adding", "copy", "reverse"}) {
            Run r = run("train", "--task", task, "--cell", "gru", "--length", "6", "--steps", "3", "--hidden", "8", "--json");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("\"baseline\""), r.out());
        }
        Run bad = run("train", "--task", "sorting");
        assertEquals(Main.EXIT_USAGE, bad.code());
        assertTrue(bad.err().contains("--task must be one of"), bad.err());
    }
}
