package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/** One Elman step: {@code h' = act(W_ih x + b_ih + W_hh h + b_hh)}, act tanh or relu. */
public class RNNCell extends RecurrentCell {
    private final RNN.Nonlinearity nonlinearity;

    public RNNCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, RNN.Nonlinearity.TANH, true, Init.generator());
    }

    public RNNCell(int inputSize, int hiddenSize, RNN.Nonlinearity nonlinearity, boolean bias, Generator gen) {
        super(1, inputSize, hiddenSize, bias, gen);
        this.nonlinearity = nonlinearity;
    }

    public Tensor forward(Tensor x, Tensor h) {
        checkedInput(x);
        Tensor pre = F.linear(x, weightIh, biasIh).add(F.linear(stateOrZeros(h, x.size(0), "h"), weightHh, biasHh));
        return nonlinearity == RNN.Nonlinearity.TANH ? pre.tanh() : pre.relu();
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }
}
