package dev.depth.train;

import dev.depth.autograd.Autograd;
import dev.depth.data.Batch;
import dev.depth.data.DataLoader;
import dev.depth.nn.F;
import dev.depth.nn.Module;
import dev.depth.optim.Optimizer;
import dev.depth.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The training loop: for each epoch, one pass over the training batches (forward, loss,
 * zeroGrad, backward, step) with a live progress line, then an evaluation on the test batches.
 * Used by the {@code depth train} command and usable from Java:
 * <pre>{@code
 * var trainer = new Trainer(model, optimizer, F::crossEntropy, Trainer.Config.DEFAULT);
 * List<EpochResult> history = trainer.fit(trainLoader, testLoader, 5);
 * }</pre>
 *
 * <p>Deterministic: with the same seeds and thread count the loss trajectory is bit-identical.
 * Not thread safe.
 */
public final class Trainer {
    /**
     * @param warmupSteps steps excluded from the samples/s figure (JIT and allocation warm-up)
     * @param progress where progress lines go, or null for none
     * @param terminal whether {@code progress} is a terminal (redrawn line) or a log (plain lines)
     */
    public record Config(int warmupSteps, PrintStream progress, boolean terminal) {
        /** 50 warm-up steps (as bench workload W2), progress on stderr, terminal detected. */
        public static final Config DEFAULT = new Config(50, System.err, Progress.isTerminal());

        public Config {
            if (warmupSteps < 0) throw new IllegalArgumentException("Trainer: warmupSteps must be >= 0, got " + warmupSteps);
        }
    }

    private final Module model;
    private final Optimizer optimizer;
    private final BiFunction<Tensor, Tensor, Tensor> lossFn;
    private final Config config;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private long globalStep;

    public Trainer(Module model, Optimizer optimizer, BiFunction<Tensor, Tensor, Tensor> lossFn, Config config) {
        this.model = model;
        this.optimizer = optimizer;
        this.lossFn = lossFn;
        this.config = config;
    }

    /** A trainer with cross-entropy loss and the default configuration. */
    public Trainer(Module model, Optimizer optimizer) {
        this(model, optimizer, F::crossEntropy, Config.DEFAULT);
    }

    public Trainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Trains for {@code epochs} epochs, evaluating on {@code test} (may be null) after each. */
    public List<EpochResult> fit(Iterable<Batch> train, Iterable<Batch> test, int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("Trainer.fit: epochs must be >= 1, got " + epochs);
        List<EpochResult> history = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            EpochResult r = trainEpoch(e, epochs, train, test);
            history.add(r);
            for (TrainingListener l : listeners) l.onEpochEnd(r);
        }
        return history;
    }

    private EpochResult trainEpoch(int epoch, int epochs, Iterable<Batch> train, Iterable<Batch> test) {
        model.train();
        int total = train instanceof DataLoader dl ? dl.numBatches() : train instanceof java.util.Collection<?> c ? c.size() : 0;
        Progress progress = config.progress() == null ? null
                : new Progress(config.progress(), config.terminal(), String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), total, "samples");
        double lossSum = 0;
        long correct = 0, samples = 0, steadySamples = 0;
        long start = System.nanoTime(), steadyStart = -1;
        int step = 0;
        double running = Double.NaN;
        for (Batch b : train) {
            if (globalStep == config.warmupSteps()) steadyStart = System.nanoTime();
            Tensor out = model.forward(b.x());
            Tensor loss = lossFn.apply(out, b.y());
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            float l = loss.item();
            if (!Float.isFinite(l))
                throw new ArithmeticException("training diverged: loss is " + l + " at epoch " + epoch + ", step " + (step + 1)
                        + " (try a lower --lr)");
            int n = b.size();
            lossSum += (double) l * n;
            correct += countCorrect(out, b.y());
            samples += n;
            if (steadyStart >= 0) steadySamples += n;
            running = Double.isNaN(running) ? l : 0.98 * running + 0.02 * l;
            step++;
            globalStep++;
            if (progress != null) progress.update(step, samples, running);
        }
        long end = System.nanoTime();
        if (progress != null) progress.finish();
        double seconds = (end - start) / 1e9;
        double rate = samples / seconds;
        if (steadyStart >= 0 && steadySamples > samples / 2) rate = steadySamples / ((end - steadyStart) / 1e9);
        Evaluation ev = test == null ? new Evaluation(Double.NaN, Double.NaN, 0) : evaluate(test);
        EpochResult r = new EpochResult(epoch, lossSum / samples, correct / (double) samples, ev.loss(), ev.accuracy(), rate, seconds, samples);
        if (config.progress() != null) {
            config.progress().printf(Locale.ROOT, "epoch %d/%d  train loss %.4f acc %.4f  test loss %.4f acc %.4f  %,.0f samples/s  %s%n",
                    epoch, epochs, r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(), rate, Progress.duration(seconds));
        }
        return r;
    }

    /** Mean loss and accuracy of the model (in eval mode, without a graph) over {@code data}. */
    public Evaluation evaluate(Iterable<Batch> data) {
        return evaluate(model, data, lossFn);
    }

    /** Evaluates any model; restores its training mode afterwards. */
    public static Evaluation evaluate(Module model, Iterable<Batch> data, BiFunction<Tensor, Tensor, Tensor> lossFn) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0, samples = 0;
        boolean classScores = true;
        try (var scope = Autograd.noGrad()) {
            for (Batch b : data) {
                Tensor out = model.forward(b.x());
                int n = b.size();
                lossSum += (double) lossFn.apply(out, b.y()).item() * n;
                if (out.dim() == 2 && b.y().dim() == 1) correct += countCorrect(out, b.y());
                else classScores = false;
                samples += n;
            }
        } finally {
            model.train(wasTraining);
        }
        return new Evaluation(lossSum / samples, classScores ? correct / (double) samples : Double.NaN, samples);
    }

    /** Rows whose arg-max equals the class-index target; 0 when outputs are not (N, C) scores. */
    static long countCorrect(Tensor out, Tensor target) {
        if (out.dim() != 2 || target.dim() != 1) return 0;
        float[] pred = out.detach().argmax(1, false).toFloatArray();
        float[] t = target.toFloatArray();
        long c = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == t[i]) c++;
        return c;
    }
}
