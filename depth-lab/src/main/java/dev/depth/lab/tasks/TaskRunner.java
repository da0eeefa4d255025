package dev.depth.lab.tasks;

import dev.depth.autograd.Autograd;
import dev.depth.data.Batch;
import dev.depth.nn.F;
import dev.depth.nn.Init;
import dev.depth.nn.Module;
import dev.depth.nn.Recurrent;
import dev.depth.optim.Adam;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Trains a recurrent model on a {@link SequenceTasks} task with Adam and gradient clipping by
 * global norm, evaluating on a fixed held-out batch; the figures in {@link Result} are what the
 * long-term-dependency experiments report.
 */
public final class TaskRunner {
    private TaskRunner() {}

    /** The tasks {@link #run} knows. */
    public static final java.util.List<String> TASKS = java.util.List.of("adding", "copy", "reverse");
    /** Reversal strings use symbols 1..10; 0 is the decoder's start symbol. */
    public static final int REVERSE_VOCAB = 11;

    /** The run's settings; defaults as in {@link #DEFAULTS}. */
    public record Config(String task, String cell, int length, int hidden, int batch, int steps, double lr, double clip, long seed, int evalEvery) {
        public static final Config DEFAULTS = new Config("adding", "lstm", 100, 128, 64, 2000, 1e-3, 1.0, 1, 100);
    }

    /**
     * Final figures on a fixed held-out batch: adding, the MSE (baseline: always predicting 1);
     * copy, the accuracy over the 10 recalled symbols (baseline: chance, 1/8); reverse, the
     * exact-match rate of greedy decoding (baseline: chance). Also the mean training loss and
     * global gradient norm over the last evaluation interval.
     */
    public record Result(String task, String cell, int length, int steps, double metric, String metricName, double baseline,
                         double lastLoss, double gradNorm, double seconds, Probe probe) {}

    /**
     * What a run records for study, on a fixed probe batch of the task.
     *
     * @param initialStepGradNorms for adding and copy, ||dL/dh_t|| [layer][t] of the recurrence
     *        before training (vanishing or exploding gradients through time); empty for reverse
     * @param finalStepGradNorms the same after training
     * @param parameterGradNorms after training, the L2 norm of each named parameter's gradient
     *        (per layer and weight) on the probe batch
     * @param attention for reverse, the decoder's attention weights on the first held-out
     *        examples (N, T, S) with the {@code source} (N, S) and greedy {@code decoded} (N, T)
     *        tokens; null for the other tasks
     */
    public record Probe(double[][] initialStepGradNorms, double[][] finalStepGradNorms, Map<String, Double> parameterGradNorms,
                        Tensor attention, Tensor source, Tensor decoded) {}

    /** Held-out examples whose attention weights {@link Probe} keeps. */
    public static final int ATTENTION_EXAMPLES = 4;

    public static Result run(Config c, PrintStream log) {
        Generator data = new Generator(c.seed()), heldOutGen = new Generator(c.seed() ^ 0x5EED);
        Module model;
        Function<Batch, Tensor> lossFn;
        Batch heldOut;
        try (var s = Init.seed(c.seed())) {
            switch (c.task()) {
                case "adding" -> {
                    model = new TaskModels.Regressor(c.cell(), 2, c.hidden());
                    Module m = model;
                    lossFn = b -> F.mseLoss(m.forward(b.x()), b.y());
                    heldOut = SequenceTasks.adding(1000, c.length(), heldOutGen);
                }
                case "copy" -> {
                    model = new TaskModels.Tagger(c.cell(), SequenceTasks.COPY_VOCAB, 16, c.hidden());
                    Module m = model;
                    lossFn = b -> F.crossEntropy(m.forward(b.x()).reshape(-1, SequenceTasks.COPY_VOCAB), b.y().reshape(-1));
                    heldOut = SequenceTasks.copy(500, c.length(), heldOutGen);
                }
                case "reverse" -> {
                    Seq2Seq s2s = new Seq2Seq(REVERSE_VOCAB, 32, c.hidden());
                    model = s2s;
                    lossFn = b -> s2s.loss(b.x(), b.y());
                    heldOut = SequenceTasks.reverse(500, c.length(), REVERSE_VOCAB, heldOutGen);
                }
                default -> throw new IllegalArgumentException("unknown task '" + c.task() + "'; expected one of " + TASKS);
            }
        }
        Batch probeBatch = batch(c, new Generator(c.seed() ^ 0x9E0BEL));
        double[][] initialNorms = stepGradNorms(model, lossFn, probeBatch);
        Adam opt = new Adam(model.parameters(), c.lr());
        if (c.clip() > 0) opt.withGradClipNorm(c.clip());
        long start = System.nanoTime();
        double lossSum = 0, normSum = 0;
        int count = 0;
        double metric = Double.NaN, lastLoss = Double.NaN, gradNorm = Double.NaN;
        for (int step = 1; step <= c.steps(); step++) {
            Batch b = batch(c, data);
            Tensor loss = lossFn.apply(b);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            lossSum += loss.item();
            normSum += opt.lastGradNorm();
            count++;
            if (step % c.evalEvery() == 0 || step == c.steps()) {
                metric = evaluate(c.task(), model, heldOut);
                lastLoss = lossSum / count;
                gradNorm = normSum / count;
                if (log != null)
                    log.printf(Locale.ROOT, "%s %s T=%d step %d/%d  train loss %.4f  held-out %s %.4f  grad norm %.3f  %.0fs%n",
                            c.task(), c.task().equals("reverse") ? "seq2seq-gru" : c.cell(), c.length(), step, c.steps(), lastLoss, metricName(c.task()), metric, gradNorm,
                            (System.nanoTime() - start) / 1e9);
                lossSum = normSum = 0;
                count = 0;
            }
        }
        double baseline = switch (c.task()) {
            case "adding" -> addingBaseline(heldOut);
            case "copy" -> 1.0 / 8;
            default -> Math.pow(1.0 / (REVERSE_VOCAB - 1), c.length());
        };
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] finalNorms = stepGradNorms(model, lossFn, probeBatch);
        Map<String, Double> paramNorms = new LinkedHashMap<>();
        model.zeroGrad();
        lossFn.apply(probeBatch).backward();
        model.namedParameters().forEach((name, p) -> paramNorms.put(name, p.grad() == null ? 0.0 : l2(p.grad())));
        model.zeroGrad();
        Tensor attention = null, source = null, decoded = null;
        if (model instanceof Seq2Seq s2s) {
            source = heldOut.x().narrow(0, 0, Math.min(ATTENTION_EXAMPLES, heldOut.x().size(0)));
            Seq2Seq.Decoded d = s2s.greedy(source, heldOut.y().size(1), true);
            attention = d.attentionWeights();
            decoded = d.tokens();
        }
        return new Result(c.task(), c.task().equals("reverse") ? "seq2seq-gru" : c.cell(), c.length(), c.steps(), metric, metricName(c.task()), baseline, lastLoss, gradNorm,
                seconds, new Probe(initialNorms, finalNorms, paramNorms, attention, source, decoded));
    }

    private static Batch batch(Config c, Generator gen) {
        return switch (c.task()) {
            case "adding" -> SequenceTasks.adding(c.batch(), c.length(), gen);
            case "copy" -> SequenceTasks.copy(c.batch(), c.length(), gen);
            default -> SequenceTasks.reverse(c.batch(), c.length(), REVERSE_VOCAB, gen);
        };
    }

    /** ||dL/dh_t|| of the model's recurrence on one batch (empty for models without one); leaves no gradients behind. */
    static double[][] stepGradNorms(Module model, Function<Batch, Tensor> lossFn, Batch b) {
        Recurrent rnn = model instanceof TaskModels.Regressor r ? r.rnn : model instanceof TaskModels.Tagger t ? t.rnn : null;
        if (rnn == null) return new double[0][];
        rnn.trackStepGradients(true);
        try {
            model.zeroGrad();
            lossFn.apply(b).backward();
            return rnn.stepGradientNorms();
        } finally {
            rnn.trackStepGradients(false);
            model.zeroGrad();
        }
    }

    private static double l2(Tensor t) {
        double s = 0;
        for (float v : t.toFloatArray()) s += (double) v * v;
        return Math.sqrt(s);
    }

    static String metricName(String task) {
        return switch (task) {
            case "adding" -> "mse";
            case "copy" -> "recall_accuracy";
            default -> "exact_match";
        };
    }

    /**
     * MSE for adding; for copy, accuracy of the greedy prediction over the 10 recalled steps; for
     * reverse, the share of sequences decoded greedily without a single wrong token.
     */
    static double evaluate(String task, Module model, Batch b) {
        if (task.equals("reverse")) {
            Tensor decoded = ((Seq2Seq) model).greedy(b.x(), b.y().size(1), false).tokens();
            Tensor rowOk = decoded.eq(b.y()).min(1, false);
            return rowOk.sum().item() / (double) b.y().size(0);
        }
        model.eval();
        try (var s = Autograd.noGrad()) {
            Tensor out = model.forward(b.x());
            if (task.equals("adding")) return F.mseLoss(out, b.y()).item();
            int n = b.y().size(0), total = b.y().size(1);
            Tensor pred = out.narrow(1, total - SequenceTasks.COPY_LENGTH, SequenceTasks.COPY_LENGTH).argmax(2, false);
            Tensor want = b.y().narrow(1, total - SequenceTasks.COPY_LENGTH, SequenceTasks.COPY_LENGTH);
            return pred.eq(want).sum().item() / (double) (n * SequenceTasks.COPY_LENGTH);
        } finally {
            model.train();
        }
    }

    /** The MSE of always predicting the expected sum, 1. */
    static double addingBaseline(Batch b) {
        return F.mseLoss(Tensor.onesLike(b.y()), b.y()).item();
    }
}
