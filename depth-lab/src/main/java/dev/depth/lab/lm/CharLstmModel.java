package dev.depth.lab.lm;

import dev.depth.nn.Embedding;
import dev.depth.nn.LSTM;
import dev.depth.nn.Linear;
import dev.depth.nn.Recurrent;
import dev.depth.tensor.Tensor;

/**
 * The character LSTM language model of bench workload W4: Embedding(vocab, embed), LSTM(embed,
 * hidden, layers, batch first), Linear(hidden, vocab). Shape: tokens (N, T) -> logits (N, T, vocab).
 */
public class CharLstmModel extends LanguageModel {
    public final Embedding embedding;
    public final LSTM lstm;
    public final Linear head;
    private final int vocab;

    public CharLstmModel(int vocab, int embed, int hidden, int layers) {
        this.vocab = vocab;
        embedding = registerModule("embedding", new Embedding(vocab, embed));
        lstm = registerModule("lstm", new LSTM(embed, hidden, layers, true, false));
        head = registerModule("head", new Linear(hidden, vocab));
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public Tensor forward(Tensor tokens) {
        return head.forward(lstm.forward(embedding.forward(tokens)));
    }

    /** The recurrent state (h, c) carried between steps. */
    static final class LstmState implements State {
        Tensor h, c;
    }

    @Override
    public State newState() {
        return new LstmState();
    }

    @Override
    public float[] step(Tensor tokens, State state) {
        LstmState s = (LstmState) state;
        Recurrent.Result r = lstm.forward(embedding.forward(tokens), s.h, s.c);
        s.h = r.hn();
        s.c = r.cn();
        Tensor last = r.output().select(1, r.output().size(1) - 1); // (1, hidden)
        return head.forward(last).reshape(-1).toFloatArray();
    }
}
