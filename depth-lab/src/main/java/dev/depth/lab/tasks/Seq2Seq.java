package dev.depth.lab.tasks;

import dev.depth.autograd.Autograd;
import dev.depth.nn.AdditiveAttention;
import dev.depth.nn.Attention;
import dev.depth.nn.Embedding;
import dev.depth.nn.F;
import dev.depth.nn.GRU;
import dev.depth.nn.GRUCell;
import dev.depth.nn.Linear;
import dev.depth.nn.Module;
import dev.depth.tensor.Tensor;

/**
 * Sequence to sequence with additive attention (Bahdanau, Cho and Bengio, 2015): a bidirectional
 * GRU encodes the source; a GRU cell decodes one token at a time. Each step attends over the
 * encoder states with {@link AdditiveAttention} twice: with the previous decoder state, to build
 * the cell's input (previous token and context), and with the new state, to predict the token
 * from that state and its context.
 *
 * <p>Shapes: source (N, S) and target (N, T) of token ids; token 0 is the start symbol fed to
 * the decoder first. {@link #forward} is teacher forcing: logits (N, T, vocab) for the target.
 * {@link #greedy} decodes without the target and can return the attention weights (N, T, S).
 */
public class Seq2Seq extends Module {
    public final Embedding sourceEmbedding, targetEmbedding;
    public final GRU encoder;
    public final GRUCell decoder;
    public final AdditiveAttention attention;
    public final Linear bridge, readout;
    private final int vocab, hidden;
    private Tensor target;

    public Seq2Seq(int vocab, int embed, int hidden) {
        this.vocab = vocab;
        this.hidden = hidden;
        sourceEmbedding = registerModule("source_embedding", new Embedding(vocab, embed));
        targetEmbedding = registerModule("target_embedding", new Embedding(vocab, embed));
        encoder = registerModule("encoder", new GRU(embed, hidden, 1, true, true));
        bridge = registerModule("bridge", new Linear(2 * hidden, hidden));
        decoder = registerModule("decoder", new GRUCell(embed + 2 * hidden, hidden));
        attention = registerModule("attention", new AdditiveAttention(hidden, 2 * hidden, hidden));
        readout = registerModule("readout", new Linear(hidden + 2 * hidden, vocab));
    }

    /** The decoding result: tokens (N, T) and, when asked, attention weights (N, T, S). */
    public record Decoded(Tensor tokens, Tensor attentionWeights) {}

    /** Sets the target for the next {@link #forward} (teacher forcing). */
    public Seq2Seq withTarget(Tensor target) {
        this.target = target;
        return this;
    }

    /** Teacher-forced logits (N, T, vocab) for the target set by {@link #withTarget}. */
    @Override
    public Tensor forward(Tensor source) {
        if (target == null) throw new IllegalStateException("Seq2Seq.forward: call withTarget(target) first, or use greedy(source, length)");
        return run(source, target, target.size(1), false).logits;
    }

    /** Loss of predicting target from source, teacher forced. */
    public Tensor loss(Tensor source, Tensor target) {
        return F.crossEntropy(withTarget(target).forward(source).reshape(-1, vocab), target.reshape(-1));
    }

    /** Greedy decoding of {@code length} tokens, in eval mode without a graph. */
    public Decoded greedy(Tensor source, int length, boolean keepWeights) {
        boolean was = isTraining();
        eval();
        try (var s = Autograd.noGrad()) {
            Run r = run(source, null, length, keepWeights);
            return new Decoded(r.tokens, r.weights);
        } finally {
            train(was);
        }
    }

    private record Run(Tensor logits, Tensor tokens, Tensor weights) {}

    private Run run(Tensor source, Tensor teacher, int length, boolean keepWeights) {
        int n = source.size(0);
        Tensor keys = encoder.forward(sourceEmbedding.forward(source)); // (N, S, 2H)
        Tensor h = bridge.forward(keys.mean(1)).tanh();
        Tensor prev = Tensor.zeros(n); // start symbol
        Tensor[] logits = new Tensor[length], weights = keepWeights ? new Tensor[length] : null;
        float[] tokens = teacher == null ? new float[n * length] : null;
        for (int t = 0; t < length; t++) {
            Attention.Output a = attention.forward(h, keys, null);
            h = decoder.forward(Tensor.cat(1, targetEmbedding.forward(prev), a.output()), h);
            Attention.Output ctx = attention.forward(h, keys, null);
            Tensor step = readout.forward(Tensor.cat(1, h, ctx.output())); // (N, vocab)
            logits[t] = step;
            if (keepWeights) weights[t] = ctx.weights();
            if (teacher != null) {
                prev = teacher.select(1, t);
            } else {
                prev = step.argmax(1, false);
                float[] p = prev.toFloatArray();
                for (int i = 0; i < n; i++) tokens[i * length + t] = p[i];
            }
        }
        return new Run(Tensor.stack(1, logits), tokens == null ? null : Tensor.wrap(tokens, n, length),
                keepWeights ? Tensor.stack(1, weights) : null);
    }
}
