package dev.depth.nn;

import dev.depth.kernel.RecurrentKernels;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Shapes;
import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The shared machinery of {@link RNN}, {@link LSTM} and {@link GRU}: multi-layer, optionally
 * bidirectional recurrences over (seq, batch, feature) or, with {@code batchFirst}, (batch, seq,
 * feature) inputs, with PyTorch's parameter names, gate layout and initialisation, so PyTorch
 * weights load one to one.
 *
 * <p>Parameters of layer k (suffix {@code _reverse} for the backward direction):
 * {@code weight_ih_lk} (gates * hidden, inputSize of that layer), {@code weight_hh_lk}
 * (gates * hidden, hidden), {@code bias_ih_lk}, {@code bias_hh_lk} (gates * hidden); all drawn
 * from U(-1/sqrt(hidden), 1/sqrt(hidden)).
 *
 * <p>Backpropagation through time is autograd's: the cell is written with differentiable ops,
 * so gradients reach every time step (full BPTT); truncate by detaching the state between chunks.
 */
public abstract class Recurrent extends Module {
    /** Output of every time step of the last layer, and the final state of every layer and direction. */
    public record Result(Tensor output, Tensor hn, Tensor cn) {}

    public final int inputSize, hiddenSize, numLayers;
    public final boolean bias, batchFirst, bidirectional;
    private final int gates;
    private final List<Tensor[]> weights = new ArrayList<>(); // per (layer, direction): wih, whh, bih, bhh
    private boolean trackStepGradients;
    private Tensor[][] trackedStates; // [layer * dirs + d][t]: hidden states of the last forward, retaining their gradients

    protected Recurrent(int gates, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                        boolean bidirectional, Generator gen) {
        String name = getClass().getSimpleName();
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new IllegalArgumentException(name + ": inputSize, hiddenSize and numLayers must be positive, got "
                    + inputSize + ", " + hiddenSize + ", " + numLayers);
        this.gates = gates;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.bidirectional = bidirectional;
        int dirs = bidirectional ? 2 : 1;
        for (int layer = 0; layer < numLayers; layer++) {
            int in = layer == 0 ? inputSize : hiddenSize * dirs;
            for (int d = 0; d < dirs; d++) {
                String sfx = "_l" + layer + (d == 1 ? "_reverse" : "");
                Tensor[] w = new Tensor[4];
                w[0] = registerParameter("weight_ih" + sfx, Tensor.zeros(gates * hiddenSize, in));
                w[1] = registerParameter("weight_hh" + sfx, Tensor.zeros(gates * hiddenSize, hiddenSize));
                if (bias) {
                    w[2] = registerParameter("bias_ih" + sfx, Tensor.zeros(gates * hiddenSize));
                    w[3] = registerParameter("bias_hh" + sfx, Tensor.zeros(gates * hiddenSize));
                }
                weights.add(w);
            }
        }
        resetParameters(gen);
    }

    /** Re-draws every weight and bias from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
    public void resetParameters(Generator gen) {
        double bound = 1 / Math.sqrt(hiddenSize);
        for (Tensor p : parameters()) Init.uniform(p, -bound, bound, gen);
    }

    /** Whether the cell carries a second state (the LSTM's cell state). */
    protected boolean hasCellState() {
        return false;
    }

    /**
     * One time step: {@code xProj} = x_t W_ih^T + b_ih (batch, gates*hidden), state {h, c}; returns
     * the new state {h, c} (c null when there is no cell state).
     */
    protected abstract Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor whh, Tensor bhh);

    /** The output sequence of the last layer. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).output();
    }

    /**
     * Runs the recurrence. Shapes: input (seq, batch, inputSize) or (batch, seq, inputSize) with
     * batchFirst; h0 and c0 (numLayers * directions, batch, hiddenSize) or null for zeros.
     * Returns output (seq, batch, directions * hiddenSize) (batch first if batchFirst), hn and cn
     * (numLayers * directions, batch, hiddenSize); cn is null except for LSTM.
     */
    public Result forward(Tensor input, Tensor h0, Tensor c0) {
        String name = getClass().getSimpleName();
        if (input.dim() != 3 || input.size(2) != inputSize)
            throw new IllegalArgumentException(name + ": input must be " + (batchFirst ? "(batch, seq, " : "(seq, batch, ") + inputSize
                    + "), got " + Shapes.str(input.shape()));
        Tensor x = batchFirst ? input.transpose(0, 1) : input; // (seq, batch, feature)
        int seq = x.size(0), batch = x.size(1), dirs = bidirectional ? 2 : 1;
        int[] stateShape = {numLayers * dirs, batch, hiddenSize};
        checkState(name, "h0", h0, stateShape);
        checkState(name, "c0", c0, stateShape);
        if (c0 != null && !hasCellState()) throw new IllegalArgumentException(name + ": has no cell state; pass c0 = null");
        Tensor[] hn = new Tensor[numLayers * dirs], cn = new Tensor[numLayers * dirs];
        trackedStates = trackStepGradients ? new Tensor[numLayers * dirs][seq] : null;
        Tensor layerInput = x;
        for (int layer = 0; layer < numLayers; layer++) {
            Tensor[] dirOutputs = new Tensor[dirs];
            for (int d = 0; d < dirs; d++) {
                int k = layer * dirs + d;
                Tensor[] w = weights.get(k);
                Tensor h = h0 != null ? h0.select(0, k) : Tensor.zeros(batch, hiddenSize);
                Tensor c = hasCellState() ? (c0 != null ? c0.select(0, k) : Tensor.zeros(batch, hiddenSize)) : null;
                // the input projection of all time steps in one GEMM: (seq * batch, in) -> (seq, batch, gates * hidden)
                Tensor xProj = F.linear(layerInput, w[0], w[2]);
                Tensor[] outs = new Tensor[seq];
                for (int s = 0; s < seq; s++) {
                    int t = d == 0 ? s : seq - 1 - s;
                    Tensor[] state = cell(xProj.select(0, t), h, c, w[1], w[3]);
                    h = state[0];
                    c = state[1];
                    outs[t] = h;
                    if (trackStepGradients && h.requiresGrad()) trackedStates[k][t] = h.retainGrad();
                }
                hn[k] = h;
                cn[k] = c;
                dirOutputs[d] = Tensor.stack(0, outs);
            }
            layerInput = dirs == 1 ? dirOutputs[0] : Tensor.cat(2, dirOutputs);
        }
        Tensor output = batchFirst ? layerInput.transpose(0, 1) : layerInput;
        return new Result(output, Tensor.stack(0, hn), hasCellState() ? Tensor.stack(0, cn) : null);
    }

    /**
     * Makes the next forward passes keep the gradient of every hidden state, so that after
     * backward {@link #stepGradientNorms()} gives ||dL/dh_t|| per layer and time step: the tool
     * for watching gradients vanish or explode through time (Bengio et al., 1994). Costs one
     * gradient tensor per step.
     */
    public Recurrent trackStepGradients(boolean on) {
        trackStepGradients = on;
        return this;
    }

    /**
     * The L2 norms of dL/dh_t of the last forward pass, indexed [layer * directions + direction][t];
     * NaN where no gradient reached that step. Empty unless {@link #trackStepGradients} is on.
     */
    public double[][] stepGradientNorms() {
        if (trackedStates == null) return new double[0][];
        double[][] norms = new double[trackedStates.length][];
        for (int k = 0; k < trackedStates.length; k++) {
            norms[k] = new double[trackedStates[k].length];
            for (int t = 0; t < norms[k].length; t++) {
                Tensor g = trackedStates[k][t] == null ? null : trackedStates[k][t].grad();
                if (g == null) {
                    norms[k][t] = Double.NaN;
                    continue;
                }
                double s = 0;
                for (float v : g.toFloatArray()) s += (double) v * v;
                norms[k][t] = Math.sqrt(s);
            }
        }
        return norms;
    }

    private static void checkState(String name, String what, Tensor t, int[] shape) {
        if (t != null && !java.util.Arrays.equals(t.shape(), shape))
            throw new IllegalArgumentException(name + ": " + what + " must have shape " + Shapes.str(shape) + ", got " + Shapes.str(t.shape()));
    }

    /** h W_hh^T + b_hh: the recurrent projection of one step. */
    protected static Tensor hiddenProjection(Tensor h, Tensor whh, Tensor bhh) {
        return F.linear(h, whh, bhh);
    }

    /** A 2-D tensor as a row-major operand of the fused kernels: itself when its columns are unit-strided, else a copy. */
    static RecurrentKernels.Rows rows(Tensor t) {
        int[] st = t.strides();
        if (st[1] == 1 && st[0] >= 0) return new RecurrentKernels.Rows(t.storage(), t.offset(), st[0]);
        Tensor c = t.contiguous();
        return new RecurrentKernels.Rows(c.storage(), c.offset(), c.size(1));
    }

    /** The elements in row-major order from index 0: the storage itself when it is exactly that, else a copy. */
    static float[] dense(Tensor t) {
        float[] s = t.storage();
        return t.offset() == 0 && s.length == t.numel() && t.isContiguous() ? s : t.toFloatArray();
    }

    /** Throws unless t is (batch, cols). */
    static void checkOperand(String op, String name, Tensor t, int batch, int cols) {
        if (t.dim() != 2 || t.size(0) != batch || t.size(1) != cols)
            throw new IllegalArgumentException(op + ": " + name + " must be (" + batch + ", " + cols + "), got " + Shapes.str(t.shape()));
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (numLayers != 1 ? ", numLayers=" + numLayers : "")
                + (batchFirst ? ", batchFirst=true" : "") + (bidirectional ? ", bidirectional=true" : "") + (bias ? "" : ", bias=false");
    }
}
