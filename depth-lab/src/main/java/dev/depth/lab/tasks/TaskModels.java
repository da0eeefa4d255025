package dev.depth.lab.tasks;

import dev.depth.nn.Embedding;
import dev.depth.nn.GRU;
import dev.depth.nn.LSTM;
import dev.depth.nn.Linear;
import dev.depth.nn.Module;
import dev.depth.nn.RNN;
import dev.depth.nn.Recurrent;
import dev.depth.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/** Recurrent models for the {@link SequenceTasks}, built around a chosen cell (rnn, lstm, gru). */
public final class TaskModels {
    private TaskModels() {}

    /** The cell names accepted. */
    public static final List<String> CELLS = List.of("rnn", "lstm", "gru");

    /** A one-layer batch-first recurrence of the named cell. */
    public static Recurrent recurrence(String cell, int inputSize, int hidden) {
        return switch (cell.toLowerCase(Locale.ROOT)) {
            case "rnn" -> new RNN(inputSize, hidden, 1, RNN.Nonlinearity.TANH, true, false);
            case "lstm" -> new LSTM(inputSize, hidden, 1, true, false);
            case "gru" -> new GRU(inputSize, hidden, 1, true, false);
            default -> throw new IllegalArgumentException("unknown cell '" + cell + "'; expected one of " + CELLS);
        };
    }

    /** Adding problem: (N, T, 2) -> (N, 1), a linear read-out of the last hidden state. */
    public static final class Regressor extends Module {
        public final Recurrent rnn;
        public final Linear readout;

        public Regressor(String cell, int inputSize, int hidden) {
            rnn = registerModule("rnn", recurrence(cell, inputSize, hidden));
            readout = registerModule("readout", new Linear(hidden, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor out = rnn.forward(x);
            return readout.forward(out.select(1, out.size(1) - 1));
        }
    }

    /** Copy memory: symbols (N, T) -> logits (N, T, vocab), embedding, recurrence, per-step read-out. */
    public static final class Tagger extends Module {
        public final Embedding embedding;
        public final Recurrent rnn;
        public final Linear readout;

        public Tagger(String cell, int vocab, int embed, int hidden) {
            embedding = registerModule("embedding", new Embedding(vocab, embed));
            rnn = registerModule("rnn", recurrence(cell, embed, hidden));
            readout = registerModule("readout", new Linear(hidden, vocab));
        }

        @Override
        public Tensor forward(Tensor x) {
            return readout.forward(rnn.forward(embedding.forward(x)));
        }
    }
}
