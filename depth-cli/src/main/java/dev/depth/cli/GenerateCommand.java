package dev.depth.cli;

import dev.depth.io.Checkpoint;
import dev.depth.io.Json;
import dev.depth.lab.lm.GptModel;
import dev.depth.lab.lm.LanguageModel;
import dev.depth.lab.lm.LmTraining;
import dev.depth.lab.lm.Sampling;
import dev.depth.tensor.Generator;
import dev.depth.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code depth generate}: samples text from a language-model checkpoint. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a language model trained by 'depth train --model lstm-lm|gpt'.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "Directory written by depth train (model, config, tokenizer).")
    Path checkpoint;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "The ", description = "Text to continue (default: '${DEFAULT-VALUE}').")
    String prompt;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "200", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8", description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Keep the K most likely tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--compare-uncached", description = "Also time generation that re-runs the whole context per token (transformer only).")
    boolean compareUncached;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(checkpoint)) throw new IllegalArgumentException("checkpoint directory " + checkpoint + " does not exist");
        if (tokens < 1) throw new ParameterException(spec.commandLine(), "--tokens must be >= 1, got " + tokens);
        Sampling sampling;
        try {
            sampling = new Sampling(temperature, topK, topP);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        common.applyThreads(spec);
        Map<String, Object> config = Checkpoint.loadConfig(checkpoint);
        Object name = config.get("model");
        if (!(name instanceof String modelName) || !TrainCommand.LANGUAGE_MODELS.contains(modelName))
            throw new IllegalArgumentException(checkpoint.resolve(Checkpoint.CONFIG_FILE) + ": \"model\" must be one of "
                    + TrainCommand.LANGUAGE_MODELS + ", found " + name);
        Tokenizer tok = Tokenizer.load(checkpoint.resolve(LmTraining.TOKENIZER_FILE));
        LanguageModel model = LmTraining.create(modelName, tok.vocabSize(), ((Number) config.get("context")).intValue());
        Checkpoint.loadInto(checkpoint, model);
        int[] ids = tok.encode(prompt);
        if (ids.length == 0) throw new ParameterException(spec.commandLine(), "--prompt must not be empty");
        if (compareUncached) { // warm the JIT up on both paths so the timings compare steady states
            model.generate(ids, Math.min(tokens, 32), sampling, new Generator(seed));
            if (model instanceof GptModel gpt) gpt.generateUncached(ids, Math.min(tokens, 8), sampling, new Generator(seed));
        }
        long start = System.nanoTime();
        int[] out = model.generate(ids, tokens, sampling, new Generator(seed));
        double cachedSeconds = (System.nanoTime() - start) / 1e9;
        String text = tok.decode(out);
        var stdout = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (!common.json) stdout.println(prompt + text);
        err.printf(Locale.ROOT, "%d tokens in %.2f s (%.2f ms/token%s)%n", tokens, cachedSeconds, 1000 * cachedSeconds / tokens,
                modelName.equals("gpt") ? ", key/value cache" : ", recurrent state");
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("prompt", prompt);
        j.put("text", text);
        j.put("ms_per_token", 1000 * cachedSeconds / tokens);
        if (compareUncached && model instanceof GptModel gpt) {
            start = System.nanoTime();
            gpt.generateUncached(ids, tokens, sampling, new Generator(seed));
            double uncached = (System.nanoTime() - start) / 1e9;
            err.printf(Locale.ROOT, "without the cache: %.2f ms/token; the cache is %.1fx faster per token%n", 1000 * uncached / tokens, uncached / cachedSeconds);
            j.put("uncached_ms_per_token", 1000 * uncached / tokens);
            j.put("cache_speedup", uncached / cachedSeconds);
        }
        err.flush();
        if (common.json) stdout.println(Json.write(j));
        stdout.flush();
        return 0;
    }
}
