package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Long short-term memory (Hochreiter and Schmidhuber, 1997), PyTorch's formulation and gate
 * order (input, forget, cell, output):
 * <pre>
 * i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      f = sigmoid(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg)         o = sigmoid(W_io x + b_io + W_ho h + b_ho)
 * c' = f * c + i * g                               h' = o * tanh(c')
 * </pre>
 * Shapes and parameters as {@link Recurrent} with 4 gates; {@code forward(x, h0, c0)} returns
 * output, hn and cn.
 * <pre>{@code
 * var lstm = new LSTM(64, 256, 1, true, false);        // batch first
 * var r = lstm.forward(embedded, null, null);           // r.output(): (batch, seq, 256)
 * }</pre>
 */
public class LSTM extends Recurrent {
    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, false);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, true, batchFirst, bidirectional, Init.generator());
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, boolean bidirectional, Generator gen) {
        super(4, inputSize, hiddenSize, numLayers, bias, batchFirst, bidirectional, gen);
    }

    @Override
    protected boolean hasCellState() {
        return true;
    }

    @Override
    protected Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
        return step(xProj.add(hiddenProjection(h, whh, bhh)), c, hiddenSize);
    }

    /** The LSTM update from pre-activations (batch, 4 * hidden) and the cell state. */
    static Tensor[] step(Tensor gates, Tensor c, int hidden) {
        Tensor i = gates.narrow(1, 0, hidden).sigmoid();
        Tensor f = gates.narrow(1, hidden, hidden).sigmoid();
        Tensor g = gates.narrow(1, 2 * hidden, hidden).tanh();
        Tensor o = gates.narrow(1, 3 * hidden, hidden).sigmoid();
        Tensor cNext = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(cNext.tanh()), cNext};
    }
}
