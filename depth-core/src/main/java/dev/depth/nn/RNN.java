package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Elman recurrent network: {@code h' = act(W_ih x + b_ih + W_hh h + b_hh)} with act tanh (the
 * default) or relu. Shapes and parameters as {@link Recurrent} with 1 gate.
 */
public class RNN extends Recurrent {
    /** The nonlinearity of the recurrence. */
    public enum Nonlinearity { TANH, RELU }

    private final Nonlinearity nonlinearity;

    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, Nonlinearity.TANH, false, false);
    }

    public RNN(int inputSize, int hiddenSize, int numLayers, Nonlinearity nonlinearity, boolean batchFirst, boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, nonlinearity, true, batchFirst, bidirectional, Init.generator());
    }

    public RNN(int inputSize, int hiddenSize, int numLayers, Nonlinearity nonlinearity, boolean bias, boolean batchFirst,
               boolean bidirectional, Generator gen) {
        super(1, inputSize, hiddenSize, numLayers, bias, batchFirst, bidirectional, gen);
        this.nonlinearity = nonlinearity;
    }

    @Override
    protected Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
        Tensor pre = xProj.add(hiddenProjection(h, whh, bhh));
        return new Tensor[] {nonlinearity == Nonlinearity.TANH ? pre.tanh() : pre.relu(), null};
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", nonlinearity=" + nonlinearity.name().toLowerCase();
    }
}
