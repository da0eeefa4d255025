package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Shapes;
import dev.depth.tensor.Tensor;

/**
 * Multi-head attention (Vaswani et al., 2017) with PyTorch's parameters, so its weights load one
 * to one: {@code in_proj_weight} (3E, E) and {@code in_proj_bias} (3E) for the query, key and
 * value projections, and {@code out_proj} (a Linear E to E). Each of numHeads heads attends in
 * its own E / numHeads dimensions; outputs are concatenated and projected.
 *
 * <p>Shape: query (L, N, E), key and value (S, N, E), or batch first (N, L, E). Masks: a non-zero
 * entry excludes a position ({@code keyPaddingMask} (N, S), {@code attnMask} (L, S) or
 * (N * numHeads, L, S)). Returns the output in the query's layout and, if asked, the attention
 * weights averaged over heads (N, L, S).
 * <p>Initialisation: in_proj_weight Glorot-uniform, biases zero, out_proj weight as Linear's.
 */
public class MultiheadAttention extends Module {
    public final int embedDim, numHeads;
    public final boolean batchFirst;
    private final float dropout;
    private final Generator dropoutGen;
    public final Tensor inProjWeight, inProjBias;
    public final Linear outProj;

    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0f, true, false, Init.generator());
    }

    public MultiheadAttention(int embedDim, int numHeads, float dropout, boolean bias, boolean batchFirst, Generator gen) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
            throw new IllegalArgumentException("MultiheadAttention: embedDim " + embedDim + " must be a positive multiple of numHeads " + numHeads);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.dropoutGen = gen.split();
        inProjWeight = registerParameter("in_proj_weight", Tensor.zeros(3 * embedDim, embedDim));
        inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim)) : null;
        outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, gen));
        Init.xavierUniform(inProjWeight, 1.0, gen);
        if (bias) Init.zeros(outProj.bias);
    }

    /** Self-attention without masks: forward(x, x, x). */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false).output();
    }

    public Attention.Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean needWeights) {
        if (query.dim() != 3 || key.dim() != 3 || value.dim() != 3 || query.size(2) != embedDim || key.size(2) != embedDim || value.size(2) != embedDim)
            throw new IllegalArgumentException("MultiheadAttention: query, key and value must be 3-D with embedDim " + embedDim
                    + " last, got " + Shapes.str(query.shape()) + ", " + Shapes.str(key.shape()) + ", " + Shapes.str(value.shape()));
        Tensor q = batchFirst ? query.transpose(0, 1) : query, k = batchFirst ? key.transpose(0, 1) : key, v = batchFirst ? value.transpose(0, 1) : value;
        int l = q.size(0), n = q.size(1), s = k.size(0), hd = embedDim / numHeads;
        int e = embedDim;
        Tensor qp = F.linear(q, inProjWeight.narrow(0, 0, e), inProjBias == null ? null : inProjBias.narrow(0, 0, e));
        Tensor kp = F.linear(k, inProjWeight.narrow(0, e, e), inProjBias == null ? null : inProjBias.narrow(0, e, e));
        Tensor vp = F.linear(v, inProjWeight.narrow(0, 2 * e, e), inProjBias == null ? null : inProjBias.narrow(0, 2 * e, e));
        // (L, N, E) -> (N * heads, L, headDim)
        Tensor qh = qp.reshape(l, n * numHeads, hd).transpose(0, 1);
        Tensor kh = kp.reshape(s, n * numHeads, hd).transpose(0, 1);
        Tensor vh = vp.reshape(s, n * numHeads, hd).transpose(0, 1);
        Tensor mask = null;
        if (attnMask != null) {
            if (!(attnMask.dim() == 2 && attnMask.size(0) == l && attnMask.size(1) == s)
                    && !(attnMask.dim() == 3 && attnMask.size(0) == n * numHeads && attnMask.size(1) == l && attnMask.size(2) == s))
                throw new IllegalArgumentException("MultiheadAttention: attnMask must be (" + l + ", " + s + ") or (" + n * numHeads + ", " + l + ", " + s
                        + "), got " + Shapes.str(attnMask.shape()));
            mask = attnMask;
        }
        if (keyPaddingMask != null) {
            if (keyPaddingMask.dim() != 2 || keyPaddingMask.size(0) != n || keyPaddingMask.size(1) != s)
                throw new IllegalArgumentException("MultiheadAttention: keyPaddingMask must be (" + n + ", " + s + "), got " + Shapes.str(keyPaddingMask.shape()));
            Tensor kpm = keyPaddingMask.reshape(n, 1, 1, s).expand(n, numHeads, 1, s).reshape(n * numHeads, 1, s);
            mask = mask == null ? kpm : mask.add(kpm);
        }
        // without weights to return and without dropout, the fused kernel (no (L, S) scores kept)
        Attention.Output a = Attention.scaledDotProduct(qh, kh, vh, mask, false, dropout, isTraining(), dropoutGen, needWeights);
        Tensor merged = a.output().transpose(0, 1).reshape(l, n, e);
        Tensor out = outProj.forward(merged);
        if (batchFirst) out = out.transpose(0, 1);
        Tensor weights = needWeights ? a.weights().reshape(n, numHeads, l, s).mean(1) : null;
        return new Attention.Output(out, weights);
    }

    @Override
    protected String extraRepr() {
        return "embedDim=" + embedDim + ", numHeads=" + numHeads + (batchFirst ? ", batchFirst=true" : "") + (dropout > 0 ? ", dropout=" + dropout : "");
    }
}
