package dev.depth.lab.lm;

import dev.depth.autograd.Autograd;
import dev.depth.nn.F;
import dev.depth.nn.Module;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

import java.util.Arrays;

/**
 * A next-token model over token ids: {@code forward(tokens (N, T)) -> logits (N, T, vocab)}, and
 * incremental decoding through a {@link State} so generation costs one step per new token.
 */
public abstract class LanguageModel extends Module {
    /** Per-sequence decoding state (recurrent state or key/value cache). */
    public interface State {}

    /** The vocabulary size. */
    public abstract int vocabSize();

    /** The longest context the model accepts, or Integer.MAX_VALUE. */
    public int contextLength() {
        return Integer.MAX_VALUE;
    }

    /** Mean cross-entropy (nats per token) of predicting y (N, T) from x (N, T). */
    public Tensor loss(Tensor x, Tensor y) {
        Tensor logits = forward(x);
        return F.crossEntropy(logits.reshape(-1, vocabSize()), y.reshape(-1));
    }

    /** A fresh state for one sequence. */
    public abstract State newState();

    /** Feeds tokens (1, t) after what the state has seen; returns the logits of the last position (vocab). */
    public abstract float[] step(Tensor tokens, State state);

    /**
     * Continues {@code prompt} by {@code count} tokens sampled with {@code sampling}; runs in eval
     * mode without a graph, one step per token (cached). When a model with a finite context
     * fills it, decoding restarts from the last half of the context. Returns only the new tokens.
     */
    public int[] generate(int[] prompt, int count, Sampling sampling, Generator gen) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt needs at least one token");
        boolean wasTraining = isTraining();
        eval();
        int[] out = new int[count];
        try (var scope = Autograd.noGrad()) {
            int context = contextLength();
            int[] history = Arrays.copyOf(prompt, prompt.length + count);
            int[] ctx = prompt.length > context ? Arrays.copyOfRange(prompt, prompt.length - context, prompt.length) : prompt;
            State state = newState();
            float[] logits = step(ids(ctx), state);
            int seen = ctx.length;
            for (int i = 0; i < count; i++) {
                out[i] = sampling.sample(logits, gen);
                history[prompt.length + i] = out[i];
                if (i + 1 == count) break;
                if (seen == context) {
                    // the context is full: start again from its second half (amortised O(context) per token)
                    int end = prompt.length + i + 1, keep = Math.max(1, context / 2);
                    state = newState();
                    logits = step(ids(Arrays.copyOfRange(history, end - keep, end)), state);
                    seen = keep;
                } else {
                    logits = step(ids(new int[] {out[i]}), state);
                    seen++;
                }
            }
        } finally {
            train(wasTraining);
        }
        return out;
    }

    /** Token ids as a (1, n) tensor of integral floats. */
    public static Tensor ids(int[] tokens) {
        float[] f = new float[tokens.length];
        for (int i = 0; i < f.length; i++) f[i] = tokens[i];
        return Tensor.wrap(f, 1, tokens.length);
    }
}
