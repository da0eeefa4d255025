package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/** One LSTM step (equations in {@link LSTM}): {@code forward(x, h, c)} returns {h', c'}. */
public class LSTMCell extends RecurrentCell {
    public LSTMCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Init.generator());
    }

    public LSTMCell(int inputSize, int hiddenSize, boolean bias, Generator gen) {
        super(4, inputSize, hiddenSize, bias, gen);
    }

    /** {h', c'} from x and the state (null state: zeros). */
    public Tensor[] forward(Tensor x, Tensor h, Tensor c) {
        checkedInput(x);
        int b = x.size(0);
        return LSTM.fusedStep(F.linear(x, weightIh, biasIh), F.linear(stateOrZeros(h, b, "h"), weightHh, biasHh), stateOrZeros(c, b, "c"), hiddenSize);
    }

    /** h' from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null)[0];
    }
}
