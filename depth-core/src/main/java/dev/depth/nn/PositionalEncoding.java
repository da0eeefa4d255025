package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Adds position information to (..., L, E) sequences: sinusoidal (Vaswani et al., 2017:
 * PE[p, 2i] = sin(p / 10000^(2i/E)), PE[p, 2i+1] = cos(p / 10000^(2i/E)), no parameters) or
 * learned (a parameter {@code weight} (maxLen, E) from N(0, 1), as an Embedding of positions).
 */
public class PositionalEncoding extends Module {
    public final int maxLen, dModel;
    public final boolean learned;
    private final Tensor table;

    /** Sinusoidal encodings for up to maxLen positions. */
    public static PositionalEncoding sinusoidal(int maxLen, int dModel) {
        return new PositionalEncoding(maxLen, dModel, false, null);
    }

    /** Learned position embeddings for up to maxLen positions. */
    public static PositionalEncoding learned(int maxLen, int dModel, Generator gen) {
        return new PositionalEncoding(maxLen, dModel, true, gen);
    }

    private PositionalEncoding(int maxLen, int dModel, boolean learned, Generator gen) {
        if (maxLen <= 0 || dModel <= 0) throw new IllegalArgumentException("PositionalEncoding: sizes must be positive, got " + maxLen + ", " + dModel);
        this.maxLen = maxLen;
        this.dModel = dModel;
        this.learned = learned;
        if (learned) {
            table = registerParameter("weight", Tensor.zeros(maxLen, dModel));
            Init.normal(table, 0, 1, gen);
        } else {
            float[] pe = new float[maxLen * dModel];
            for (int p = 0; p < maxLen; p++)
                for (int i = 0; i < dModel; i++) {
                    double angle = p / Math.pow(10000, (i - i % 2) / (double) dModel);
                    pe[p * dModel + i] = (float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
                }
            table = Tensor.wrap(pe, maxLen, dModel);
        }
    }

    /** The encodings of positions offset .. offset + length - 1: (length, E). */
    public Tensor encodings(int offset, int length) {
        if (offset < 0 || offset + length > maxLen)
            throw new IllegalArgumentException("PositionalEncoding: positions " + offset + ".." + (offset + length - 1) + " exceed maxLen " + maxLen);
        return table.narrow(0, offset, length);
    }

    /** x + PE[0 .. L-1] for x of shape (..., L, E). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(-1) != dModel)
            throw new IllegalArgumentException("PositionalEncoding: input must be (..., L, " + dModel + "), got " + java.util.Arrays.toString(x.shape()));
        return x.add(encodings(0, x.size(-2)));
    }

    @Override
    protected String extraRepr() {
        return (learned ? "learned" : "sinusoidal") + ", maxLen=" + maxLen + ", dModel=" + dModel;
    }
}
