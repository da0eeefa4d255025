package dev.depth.io;

import dev.depth.nn.Module;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path dir;

    /** Two parameters and a buffer, like a normalisation layer. */
    static final class Tiny extends Module {
        final Tensor weight, bias, runningMean;

        Tiny(Generator gen, int features) {
            weight = registerParameter("weight", Tensor.randn(gen, features, 3));
            bias = registerParameter("bias", Tensor.randn(gen, features));
            runningMean = registerBuffer("running_mean", Tensor.randn(gen, features));
        }

        @Override
        public Tensor forward(Tensor input) {
            return input;
        }
    }

    /** A submodule and a scalar buffer, for dotted names. */
    static final class Outer extends Module {
        final Tiny inner;

        Outer(Generator gen, int features) {
            inner = registerModule("inner", new Tiny(gen, features));
            registerBuffer("steps", Tensor.scalar((float) gen.nextInt(1000)));
        }

        @Override
        public Tensor forward(Tensor input) {
            return inner.forward(input);
        }
    }

    private static Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>(Checkpoint.provenance());
        c.put("model", "tiny");
        c.put("seed", 42);
        c.put("threads", 4);
        c.put("hyperparameters", Map.of("lr", 0.001));
        c.put("metrics", List.of(Map.of("epoch", 1, "loss", 0.5)));
        return c;
    }

    @Test
    void savesAndLoadsAModule() throws IOException {
        Outer saved = new Outer(new Generator(1), 4);
        Path ckpt = dir.resolve("run/ckpt"); // parents are created
        Checkpoint.save(ckpt, saved, config());
        try (var s = Files.list(ckpt)) {
            assertEquals(List.of("config.json", "model.safetensors"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }

        Outer loaded = new Outer(new Generator(2), 4);
        assertFalse(java.util.Arrays.equals(saved.inner.weight.toFloatArray(), loaded.inner.weight.toFloatArray()));
        Checkpoint.loadInto(ckpt, loaded);
        Map<String, Tensor> a = saved.stateDict(), b = loaded.stateDict();
        assertEquals(List.of("steps", "inner.weight", "inner.bias", "inner.running_mean"), new ArrayList<>(a.keySet()));
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        assertTrue(loaded.inner.weight.requiresGrad(), "parameters stay parameters");

        assertEquals(Map.of("format", "pt"), Safetensors.loadMetadata(ckpt.resolve(Checkpoint.MODEL_FILE)));
    }

    @Test
    void savesTheConfigurationPrettyPrintedAndReadsItBack() throws IOException {
        Map<String, Object> c = config();
        Checkpoint.save(dir, new Tiny(new Generator(3), 2), c);
        String text = Files.readString(dir.resolve(Checkpoint.CONFIG_FILE));
        assertTrue(text.startsWith("{\n  \"depth_version\": \"") && text.endsWith("}\n"), text);
        assertTrue(text.contains("\n  \"seed\": 42,\n"), text);

        Map<String, Object> back = Checkpoint.loadConfig(dir);
        assertEquals(new ArrayList<>(c.keySet()), new ArrayList<>(back.keySet()));
        assertEquals("tiny", back.get("model"));
        assertEquals(42L, back.get("seed"));
        assertEquals(Map.of("lr", 0.001), back.get("hyperparameters"));
        assertEquals(List.of(Map.of("epoch", 1L, "loss", 0.5)), back.get("metrics"));
        assertEquals(Runtime.version().toString(), back.get("java_version"));
        assertEquals(c.get("timestamp"), back.get("timestamp"));
    }

    @Test
    void provenanceNamesTheBuild() {
        Map<String, Object> p = Checkpoint.provenance();
        assertEquals(List.of("depth_version", "java_version", "java_vendor", "os", "available_processors", "timestamp"), new ArrayList<>(p.keySet()));
        assertFalse(Checkpoint.depthVersion().isEmpty());
    }

    @Test
    void overwritesAnEarlierCheckpoint() throws IOException {
        Checkpoint.save(dir, new Tiny(new Generator(4), 2), Map.of("epoch", 1));
        Tiny second = new Tiny(new Generator(5), 2);
        Checkpoint.save(dir, second, Map.of("epoch", 2));
        Tiny loaded = new Tiny(new Generator(6), 2);
        Checkpoint.loadInto(dir, loaded);
        assertArrayEquals(second.weight.toFloatArray(), loaded.weight.toFloatArray());
        assertEquals(2L, Checkpoint.loadConfig(dir).get("epoch"));
    }

    @Test
    void anUnwritableConfigurationWritesNothing() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("optimizer", new Object());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.save(dir.resolve("ckpt"), new Tiny(new Generator(7), 2), c));
        assertTrue(e.getMessage().contains("$.optimizer"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("ckpt")));
    }

    @Test
    void missingDirectoryAndFilesAreNamed() throws IOException {
        Path missing = dir.resolve("nope");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Checkpoint.loadInto(missing, new Tiny(new Generator(8), 2)));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Checkpoint.loadConfig(missing));

        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "");
        e = assertThrows(NoSuchFileException.class, () -> Checkpoint.loadInto(empty, new Tiny(new Generator(8), 2)));
        assertTrue(e.getMessage().contains("has no model.safetensors (it contains notes.txt)"), e.getMessage());
        e = assertThrows(NoSuchFileException.class, () -> Checkpoint.loadConfig(empty));
        assertTrue(e.getMessage().contains("has no config.json"), e.getMessage());

        Path file = Files.writeString(dir.resolve("a-file"), "");
        FileSystemException f = assertThrows(FileSystemException.class, () -> Checkpoint.loadConfig(file));
        assertTrue(f.getMessage().contains("not a directory"), f.getMessage());
    }

    @Test
    void mismatchedKeysAndShapesNameTheDirectory() throws IOException {
        Checkpoint.save(dir, new Tiny(new Generator(9), 2), Map.of());
        Tiny wrongShape = new Tiny(new Generator(9), 3);
        float[] before = wrongShape.weight.toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadInto(dir, wrongShape));
        assertTrue(e.getMessage().startsWith("checkpoint " + dir + " does not fit the model Tiny: "), e.getMessage());
        assertTrue(e.getMessage().contains("'weight' has shape [2, 3], the model expects [3, 3]"), e.getMessage());
        assertArrayEquals(before, wrongShape.weight.toFloatArray(), "a failed load changes nothing");

        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadInto(dir, new Outer(new Generator(9), 2)));
        assertTrue(k.getMessage().contains("unexpected key 'weight'") && k.getMessage().contains("missing key 'inner.weight'"), k.getMessage());
    }

    @Test
    void aCorruptConfigurationNamesTheFileAndOffset() throws IOException {
        Files.writeString(dir.resolve(Checkpoint.CONFIG_FILE), "{\n  \"lr\": 0.1,\n}\n");
        FileFormatException e = assertThrows(FileFormatException.class, () -> Checkpoint.loadConfig(dir));
        assertEquals(dir.resolve(Checkpoint.CONFIG_FILE), e.file());
        assertEquals(15, e.offset()); // the "}" where a key was expected
        Files.writeString(dir.resolve(Checkpoint.CONFIG_FILE), "[1]");
        e = assertThrows(FileFormatException.class, () -> Checkpoint.loadConfig(dir));
        assertTrue(e.getMessage().contains("expected an object"), e.getMessage());
    }

    @Test
    void aCorruptWeightsFileIsReportedAsSuch() throws IOException {
        Checkpoint.save(dir, new Tiny(new Generator(10), 2), Map.of());
        Path weights = dir.resolve(Checkpoint.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 4)); // truncated
        FileFormatException e = assertThrows(FileFormatException.class, () -> Checkpoint.loadInto(dir, new Tiny(new Generator(10), 2)));
        assertEquals(weights, e.file());
    }
}
