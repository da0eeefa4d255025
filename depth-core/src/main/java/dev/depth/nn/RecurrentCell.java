package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Shapes;
import dev.depth.tensor.Tensor;

/**
 * One time step of a recurrence, for loops the user writes: {@link LSTMCell}, {@link GRUCell},
 * {@link RNNCell}. Parameters as PyTorch's cells: weight_ih (gates * hidden, inputSize),
 * weight_hh (gates * hidden, hidden), bias_ih and bias_hh (gates * hidden), all from
 * U(-1/sqrt(hidden), 1/sqrt(hidden)). Shapes: x (batch, inputSize), h and c (batch, hidden).
 */
public abstract class RecurrentCell extends Module {
    public final int inputSize, hiddenSize;
    public final Tensor weightIh, weightHh, biasIh, biasHh;

    protected RecurrentCell(int gates, int inputSize, int hiddenSize, boolean bias, Generator gen) {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": sizes must be positive, got " + inputSize + ", " + hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        weightIh = registerParameter("weight_ih", Tensor.zeros(gates * hiddenSize, inputSize));
        weightHh = registerParameter("weight_hh", Tensor.zeros(gates * hiddenSize, hiddenSize));
        biasIh = bias ? registerParameter("bias_ih", Tensor.zeros(gates * hiddenSize)) : null;
        biasHh = bias ? registerParameter("bias_hh", Tensor.zeros(gates * hiddenSize)) : null;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (Tensor p : parameters()) Init.uniform(p, -bound, bound, gen);
    }

    protected Tensor checkedInput(Tensor x) {
        if (x.dim() != 2 || x.size(1) != inputSize)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input must be (batch, " + inputSize + "), got " + Shapes.str(x.shape()));
        return x;
    }

    protected Tensor stateOrZeros(Tensor s, int batch, String what) {
        if (s == null) return Tensor.zeros(batch, hiddenSize);
        if (s.dim() != 2 || s.size(0) != batch || s.size(1) != hiddenSize)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + what + " must be (" + batch + ", " + hiddenSize + "), got " + Shapes.str(s.shape()));
        return s;
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (biasIh == null ? ", bias=false" : "");
    }
}
