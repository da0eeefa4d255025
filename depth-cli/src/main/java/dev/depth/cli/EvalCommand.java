package dev.depth.cli;

import dev.depth.data.DataLoader;
import dev.depth.data.FashionMnist;
import dev.depth.io.Checkpoint;
import dev.depth.io.Json;
import dev.depth.nn.F;
import dev.depth.nn.Models;
import dev.depth.nn.Module;
import dev.depth.train.Evaluation;
import dev.depth.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code depth eval}: re-evaluates a saved checkpoint on the Fashion-MNIST test set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Load a checkpoint written by 'depth train' and report its test loss and accuracy.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--checkpoint", paramLabel = "DIR", required = true,
            description = "Directory with model.safetensors and config.json.")
    Path checkpoint;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use only the first N test images.")
    Integer limitTest;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(checkpoint))
            throw new IllegalArgumentException("checkpoint directory " + checkpoint + " does not exist");
        common.applyThreads(spec);
        Map<String, Object> config = Checkpoint.loadConfig(checkpoint);
        Object name = config.get("model");
        if (!(name instanceof String modelName) || !Models.NAMES.contains(modelName))
            throw new IllegalArgumentException(checkpoint.resolve(Checkpoint.CONFIG_FILE) + ": \"model\" must be one of "
                    + Models.NAMES + ", found " + name);
        Module net = Models.create(modelName);
        Checkpoint.loadInto(checkpoint, net);
        if (limitTest != null && limitTest < 1)
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit-test must be >= 1, got " + limitTest);
        FashionMnist.Splits data = common.loadData(1, limitTest == null ? Integer.MAX_VALUE : limitTest).splits();
        long start = System.nanoTime();
        Evaluation ev = Trainer.evaluate(net, DataLoader.builder(data.test()).batchSize(1000).build(), F::crossEntropy);
        double seconds = (System.nanoTime() - start) / 1e9;
        var err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "%s on %,d test images: accuracy %.4f, loss %.4f (%,.0f images/s)%n",
                checkpoint, ev.samples(), ev.accuracy(), ev.loss(), ev.samples() / seconds);
        err.flush();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("checkpoint", checkpoint.toString());
            m.put("model", modelName);
            m.put("test_accuracy", ev.accuracy());
            m.put("test_loss", ev.loss());
            m.put("test_examples", ev.samples());
            m.put("samples_per_s", ev.samples() / seconds);
            spec.commandLine().getOut().println(Json.write(m));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
