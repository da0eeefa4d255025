package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.RecurrentKernels;
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
        return new Tensor[] {fusedStep(xProj, hiddenProjection(h, whh, bhh), h, hiddenSize), null};
    }

    /**
     * The GRU update as one fused op from the input and hidden projections xp, hp (batch,
     * 3 * hidden, PyTorch's order r, z, n) and the state h (batch, hidden); returns h'. Its
     * backward is one kernel too (differentiable ops under createGraph).
     */
    static Tensor fusedStep(Tensor xp, Tensor hp, Tensor h, int hidden) {
        int batch = xp.dim() == 2 ? xp.size(0) : -1;
        checkOperand("gruCell", "input projection", xp, batch, 3 * hidden);
        checkOperand("gruCell", "hidden projection", hp, batch, 3 * hidden);
        checkOperand("gruCell", "hidden state", h, batch, hidden);
        RecurrentKernels.Rows hr = rows(hp), pr = rows(h);
        float[] acts = new float[batch * 3 * hidden], out = new float[batch * hidden];
        RecurrentKernels.gruForward(rows(xp), hr, pr, batch, hidden, acts, out);
        return Tensor.fromOp(out, new int[] {batch, hidden}, "gruCell", new Tensor[] {xp, hp, h}, g -> {
            if (Autograd.isGradEnabled()) return backwardComposite(xp, hp, h, hidden, g);
            float[] dxp = xp.requiresGrad() ? new float[batch * 3 * hidden] : null, dhp = hp.requiresGrad() ? new float[batch * 3 * hidden] : null;
            float[] dh = h.requiresGrad() ? new float[batch * hidden] : null;
            RecurrentKernels.gruBackward(dense(g), hr, pr, batch, hidden, acts, dxp, dhp, dh);
            return new Tensor[] {dxp == null ? null : Tensor.wrap(dxp, batch, 3 * hidden), dhp == null ? null : Tensor.wrap(dhp, batch, 3 * hidden),
                    dh == null ? null : Tensor.wrap(dh, batch, hidden)};
        });
    }

    /** The fused step's gradients from differentiable ops (double backward). */
    private static Tensor[] backwardComposite(Tensor xp, Tensor hp, Tensor h, int hidden, Tensor g) {
        Tensor hn = hp.narrow(1, 2 * hidden, hidden);
        Tensor r = xp.narrow(1, 0, hidden).add(hp.narrow(1, 0, hidden)).sigmoid();
        Tensor z = xp.narrow(1, hidden, hidden).add(hp.narrow(1, hidden, hidden)).sigmoid();
        Tensor n = xp.narrow(1, 2 * hidden, hidden).add(r.mul(hn)).tanh();
        Tensor dpn = g.mul(z.rsub(1f)).mul(n.square().rsub(1f));
        Tensor dpr = dpn.mul(hn).mul(r).mul(r.rsub(1f));
        Tensor dpz = g.mul(h.sub(n)).mul(z).mul(z.rsub(1f));
        return new Tensor[] {xp.requiresGrad() ? Tensor.cat(1, dpr, dpz, dpn) : null, hp.requiresGrad() ? Tensor.cat(1, dpr, dpz, dpn.mul(r)) : null,
                h.requiresGrad() ? g.mul(z) : null};
    }

    /** The GRU update from the input and hidden projections (batch, 3 * hidden), as separate ops: the fused step's reference. */
    static Tensor step(Tensor xp, Tensor hp, Tensor h, int hidden) {
        Tensor r = xp.narrow(1, 0, hidden).add(hp.narrow(1, 0, hidden)).sigmoid();
        Tensor z = xp.narrow(1, hidden, hidden).add(hp.narrow(1, hidden, hidden)).sigmoid();
        Tensor n = xp.narrow(1, 2 * hidden, hidden).add(r.mul(hp.narrow(1, 2 * hidden, hidden))).tanh();
        return n.add(z.mul(h.sub(n))); // (1 - z) n + z h
    }
}
