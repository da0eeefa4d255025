package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Gated recurrent unit (Cho et al., 2014), PyTorch's formulation and gate order (reset, update, new):
 * <pre>
 * r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h
 * </pre>
 * Shapes and parameters as {@link Recurrent} with 3 gates.
 */
public class GRU extends Recurrent {
    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, false);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, true, batchFirst, bidirectional, Init.generator());
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, boolean bidirectional, Generator gen) {
        super(3, inputSize, hiddenSize, numLayers, bias, batchFirst, bidirectional, gen);
    }

    @Override
    protected Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
        return new Tensor[] {step(xProj, hiddenProjection(h, whh, bhh), h, hiddenSize), null};
    }

    /** The GRU update from the input and hidden projections (batch, 3 * hidden). */
    static Tensor step(Tensor xp, Tensor hp, Tensor h, int hidden) {
        Tensor r = xp.narrow(1, 0, hidden).add(hp.narrow(1, 0, hidden)).sigmoid();
        Tensor z = xp.narrow(1, hidden, hidden).add(hp.narrow(1, hidden, hidden)).sigmoid();
        Tensor n = xp.narrow(1, 2 * hidden, hidden).add(r.mul(hp.narrow(1, 2 * hidden, hidden))).tanh();
        return n.add(z.mul(h.sub(n))); // (1 - z) n + z h
    }
}
