package dev.depth.io;

import dev.depth.nn.Module;
import dev.depth.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A model directory: the weights and the configuration of a run, in the layout Hugging Face uses.
 * <pre>
 * dir/
 *   model.safetensors   the module's {@link Module#stateDict()} (parameters and buffers), F32,
 *                       with metadata {"format": "pt"} (see {@link Safetensors})
 *   config.json         the run's configuration, a JSON object written pretty-printed (see {@link Json})
 * </pre>
 * The configuration is whatever the caller passes: model name, hyperparameters, seed, thread count,
 * versions, timestamp, final metrics. {@link #provenance()} gives the part that describes the
 * environment, to merge in. Tensor names are PyTorch's dotted {@code state_dict} names, so a
 * checkpoint of a model with the same structure loads in PyTorch with
 * {@code model.load_state_dict(safetensors.torch.load_file("model.safetensors"))}.
 *
 * <p>Each file is replaced atomically ({@link AtomicFiles}); the pair is not: a crash between the
 * two writes leaves the new weights beside the previous configuration. The weights are written
 * first, and the configuration is checked to be writable as JSON before anything is written.
 *
 * <p>Example:
 * <pre>{@code
 * Map<String, Object> config = new LinkedHashMap<>(Checkpoint.provenance());
 * config.put("model", "mlp-784-512-10");
 * config.put("lr", 1e-3);
 * config.put("seed", 42);
 * Checkpoint.save(Path.of("runs/mlp"), model, config);
 * Checkpoint.loadInto(Path.of("runs/mlp"), freshModel);
 * }</pre>
 *
 * <p>Thread safety: the methods are static and may be called from any thread, but the module must
 * not be trained (written to) while it is saved or loaded.
 */
public final class Checkpoint {
    /** The weights file in a checkpoint directory. */
    public static final String MODEL_FILE = "model.safetensors";
    /** The configuration file in a checkpoint directory. */
    public static final String CONFIG_FILE = "config.json";
    /** The safetensors metadata of {@link #MODEL_FILE}: the layout and names are PyTorch's. */
    static final Map<String, String> MODEL_METADATA = Map.of("format", "pt");

    private Checkpoint() {}

    /**
     * Saves {@code model}'s state dict to {@code dir/model.safetensors} and {@code config} to
     * {@code dir/config.json}, creating {@code dir} (and its parents) if needed and replacing
     * existing files.
     *
     * @throws IllegalArgumentException if {@code config} holds a value JSON cannot represent (the
     *     message names its path, e.g. {@code $.optimizer}); nothing is written then
     * @throws IOException if the directory cannot be created or a file cannot be written
     */
    public static void save(Path dir, Module model, Map<String, Object> config) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(config, "config");
        String configJson = Json.writePretty(config) + "\n";
        Files.createDirectories(dir);
        Safetensors.save(dir.resolve(MODEL_FILE), model.stateDict(), MODEL_METADATA);
        AtomicFiles.writeString(dir.resolve(CONFIG_FILE), configJson);
    }

    /**
     * Reads {@code dir/config.json}: a map in file order whose values are as {@link Json#parse}
     * gives them (numbers come back as {@code Long} or {@code Double}).
     *
     * @throws NoSuchFileException if the directory or the file does not exist
     * @throws FileFormatException if the file is not a JSON object (naming the byte offset)
     */
    public static Map<String, Object> loadConfig(Path dir) throws IOException {
        Path file = requireFile(dir, CONFIG_FILE);
        byte[] bytes = Files.readAllBytes(file);
        Object root;
        try {
            root = Json.parse(bytes);
        } catch (Json.SyntaxException e) {
            throw new FileFormatException(file, e.offset(), "not valid JSON: " + e.problem(), e);
        }
        if (!(root instanceof Map<?, ?>))
            throw new FileFormatException(file, 0, "the configuration is a JSON " + (root instanceof List<?> ? "array" : "value")
                    + "; expected an object");
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) root;
        return map;
    }

    /**
     * Loads {@code dir/model.safetensors} into {@code model}'s parameters and buffers (strict: the
     * names must match exactly and every shape must agree). The model is changed only if every
     * check passes.
     *
     * @throws NoSuchFileException if the directory or the weights file does not exist
     * @throws FileFormatException if the weights file is not valid safetensors
     * @throws IllegalArgumentException if names or shapes do not match the model; the message names
     *     the directory and every missing, unexpected or mis-shaped tensor
     */
    public static void loadInto(Path dir, Module model) throws IOException {
        Objects.requireNonNull(model, "model");
        Path file = requireFile(dir, MODEL_FILE);
        Map<String, Tensor> state = Safetensors.load(file);
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint " + dir + " does not fit the model " + model.getClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The environment of this run, to record in a configuration: {@code depth_version},
     * {@code java_version}, {@code java_vendor}, {@code os} (name and architecture),
     * {@code available_processors} and {@code timestamp} (UTC, ISO 8601, whole seconds). A new,
     * mutable map on each call.
     */
    public static Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("depth_version", depthVersion());
        p.put("java_version", Runtime.version().toString());
        p.put("java_vendor", System.getProperty("java.vendor", "unknown"));
        p.put("os", System.getProperty("os.name", "unknown") + " " + System.getProperty("os.arch", ""));
        p.put("available_processors", Runtime.getRuntime().availableProcessors());
        p.put("timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return p;
    }

    /** The version of Depth on the class path (from the build), or {@code "unknown"}. */
    public static String depthVersion() {
        try (InputStream in = Checkpoint.class.getResourceAsStream("depth-version.properties")) {
            if (in == null) return "unknown";
            Properties props = new Properties();
            props.load(in);
            String v = props.getProperty("version", "unknown");
            return v.contains("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path requireFile(Path dir, String name) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.exists(dir))
            throw new NoSuchFileException(dir.toString(), null, "the checkpoint directory does not exist");
        if (!Files.isDirectory(dir))
            throw new FileSystemException(dir.toString(), null, "not a directory; expected a checkpoint directory with "
                    + MODEL_FILE + " and " + CONFIG_FILE);
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            List<String> found = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.limit(20).forEach(p -> found.add(p.getFileName().toString()));
            }
            found.sort(null);
            throw new NoSuchFileException(file.toString(), null, "the checkpoint directory " + dir + " has no " + name
                    + " (it contains " + (found.isEmpty() ? "nothing" : String.join(", ", found)) + ")");
        }
        return file;
    }
}
