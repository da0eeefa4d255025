package dev.depth.lab.tasks;

import dev.depth.data.Batch;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Synthetic tasks that probe long-term dependencies, generated on the fly from a seeded generator.
 *
 * <ul>
 * <li>Adding problem (Hochreiter and Schmidhuber, 1997): x (N, T, 2), channel 0 uniform in
 *     [0, 1), channel 1 marks exactly two positions (one in each half); y (N, 1) is the sum of
 *     the two marked values. Predicting 1 always gives MSE about 0.167; solving it needs memory
 *     across up to T steps.
 * <li>Copy memory (Arjovsky et al., 2016): x (N, T + 20) of symbols: 10 data symbols from 1..8,
 *     T - 1 blanks (0), a delimiter (9) and 10 more blanks; y (N, T + 20): blanks (0) everywhere but
 *     the last 10 steps, which repeat the data. Always answering blank scores 10 ln 8 / (T + 20)
 *     nats per step.
 * <li>Reversal: x (N, L) of symbols in 1..vocab-1, y = x reversed (a sequence-to-sequence task).
 * </ul>
 */
public final class SequenceTasks {
    private SequenceTasks() {}

    /** Symbols of the copy task: 0 blank, 1..8 data, 9 delimiter. */
    public static final int COPY_VOCAB = 10, COPY_LENGTH = 10;

    public static Batch adding(int batch, int length, Generator gen) {
        if (length < 2) throw new IllegalArgumentException("adding: length must be >= 2, got " + length);
        float[] x = new float[batch * length * 2], y = new float[batch];
        for (int b = 0; b < batch; b++) {
            int first = gen.nextInt(length / 2), second = length / 2 + gen.nextInt(length - length / 2);
            for (int t = 0; t < length; t++) {
                float v = gen.nextFloat();
                x[(b * length + t) * 2] = v;
                if (t == first || t == second) {
                    x[(b * length + t) * 2 + 1] = 1f;
                    y[b] += v;
                }
            }
        }
        return new Batch(Tensor.wrap(x, batch, length, 2), Tensor.wrap(y, batch, 1));
    }

    /** Copy memory with T blanks between the data and the delimiter; sequences of T + 20 steps. */
    public static Batch copy(int batch, int blanks, Generator gen) {
        if (blanks < 1) throw new IllegalArgumentException("copy: blanks must be >= 1, got " + blanks);
        int total = blanks + 2 * COPY_LENGTH;
        float[] x = new float[batch * total], y = new float[batch * total];
        for (int b = 0; b < batch; b++) {
            int o = b * total;
            for (int i = 0; i < COPY_LENGTH; i++) {
                int s = 1 + gen.nextInt(8);
                x[o + i] = s;
                y[o + total - COPY_LENGTH + i] = s;
            }
            x[o + COPY_LENGTH + blanks - 1] = 9; // the delimiter ends the T - 1 blanks
        }
        return new Batch(Tensor.wrap(x, batch, total), Tensor.wrap(y, batch, total));
    }

    /** Random strings over symbols 1..vocab-1 and their reversals (0 is left free for padding/start). */
    public static Batch reverse(int batch, int length, int vocab, Generator gen) {
        float[] x = new float[batch * length], y = new float[batch * length];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < length; i++) {
                int s = 1 + gen.nextInt(vocab - 1);
                x[b * length + i] = s;
                y[b * length + length - 1 - i] = s;
            }
        return new Batch(Tensor.wrap(x, batch, length), Tensor.wrap(y, batch, length));
    }
}
