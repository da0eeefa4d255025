package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/** One GRU step (equations in {@link GRU}): {@code forward(x, h)} returns h'. */
public class GRUCell extends RecurrentCell {
    public GRUCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Init.generator());
    }

    public GRUCell(int inputSize, int hiddenSize, boolean bias, Generator gen) {
        super(3, inputSize, hiddenSize, bias, gen);
    }

    public Tensor forward(Tensor x, Tensor h) {
        checkedInput(x);
        Tensor state = stateOrZeros(h, x.size(0), "h");
        return GRU.fusedStep(F.linear(x, weightIh, biasIh), F.linear(state, weightHh, biasHh), state, hiddenSize);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }
}
