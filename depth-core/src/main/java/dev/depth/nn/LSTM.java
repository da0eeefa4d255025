package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.RecurrentKernels;
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
        return fusedStep(xProj, hiddenProjection(h, whh, bhh), c, hiddenSize);
    }

    /**
     * The LSTM update as one fused op: gates = xp + hp (batch, 4 * hidden, PyTorch's order i, f,
     * g, o), c (batch, hidden). Returns {h', c'}, two views of one packed (batch, 2 * hidden)
     * result. The backward is one kernel too, from the activations kept by the forward; under
     * createGraph it is built from differentiable ops instead.
     */
    static Tensor[] fusedStep(Tensor xp, Tensor hp, Tensor c, int hidden) {
        int batch = xp.dim() == 2 ? xp.size(0) : -1;
        checkOperand("lstmCell", "input projection", xp, batch, 4 * hidden);
        checkOperand("lstmCell", "hidden projection", hp, batch, 4 * hidden);
        checkOperand("lstmCell", "cell state", c, batch, hidden);
        RecurrentKernels.Rows cr = rows(c);
        float[] acts = new float[batch * 4 * hidden], tc = new float[batch * hidden], hc = new float[batch * 2 * hidden];
        RecurrentKernels.lstmForward(rows(xp), rows(hp), cr, batch, hidden, acts, tc, hc);
        Tensor packed = Tensor.fromOp(hc, new int[] {batch, 2 * hidden}, "lstmCell", new Tensor[] {xp, hp, c}, g -> {
            if (Autograd.isGradEnabled()) return backwardComposite(xp, hp, c, hidden, g);
            float[] dGates = new float[batch * 4 * hidden], dc = c.requiresGrad() ? new float[batch * hidden] : null;
            RecurrentKernels.lstmBackward(dense(g), cr, batch, hidden, acts, tc, dGates, dc);
            Tensor dg = Tensor.wrap(dGates, batch, 4 * hidden);
            return new Tensor[] {xp.requiresGrad() ? dg : null, hp.requiresGrad() ? dg : null, dc == null ? null : Tensor.wrap(dc, batch, hidden)};
        });
        return new Tensor[] {packed.narrow(1, 0, hidden), packed.narrow(1, hidden, hidden)};
    }

    /** The fused step's gradients from differentiable ops (double backward). */
    private static Tensor[] backwardComposite(Tensor xp, Tensor hp, Tensor c, int hidden, Tensor g) {
        Tensor gates = xp.add(hp);
        Tensor i = gates.narrow(1, 0, hidden).sigmoid(), f = gates.narrow(1, hidden, hidden).sigmoid();
        Tensor gg = gates.narrow(1, 2 * hidden, hidden).tanh(), o = gates.narrow(1, 3 * hidden, hidden).sigmoid();
        Tensor th = f.mul(c).add(i.mul(gg)).tanh();
        Tensor gh = g.narrow(1, 0, hidden);
        Tensor dc = g.narrow(1, hidden, hidden).add(gh.mul(o).mul(th.square().rsub(1f)));
        Tensor dGates = Tensor.cat(1, dc.mul(gg).mul(i).mul(i.rsub(1f)), dc.mul(c).mul(f).mul(f.rsub(1f)),
                dc.mul(i).mul(gg.square().rsub(1f)), gh.mul(th).mul(o).mul(o.rsub(1f)));
        return new Tensor[] {xp.requiresGrad() ? dGates : null, hp.requiresGrad() ? dGates : null, c.requiresGrad() ? dc.mul(f) : null};
    }

    /** The LSTM update from pre-activations (batch, 4 * hidden) and the cell state, as separate ops: the fused step's reference. */
    static Tensor[] step(Tensor gates, Tensor c, int hidden) {
        Tensor i = gates.narrow(1, 0, hidden).sigmoid();
        Tensor f = gates.narrow(1, hidden, hidden).sigmoid();
        Tensor g = gates.narrow(1, 2 * hidden, hidden).tanh();
        Tensor o = gates.narrow(1, 3 * hidden, hidden).sigmoid();
        Tensor cNext = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(cNext.tanh()), cNext};
    }
}
