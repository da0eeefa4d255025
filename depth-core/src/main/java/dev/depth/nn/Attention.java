package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.FusedAttention;
import dev.depth.kernel.simd.AttentionKernels;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Shapes;
import dev.depth.tensor.Tensor;

/**
 * Attention as functions. Masks use one convention throughout: a non-zero entry marks a
 * position that may NOT be attended to (PyTorch's boolean {@code attn_mask} and
 * {@code key_padding_mask} of {@code nn.MultiheadAttention}). A row whose every key is masked
 * gives NaN, as in PyTorch.
 */
public final class Attention {
    private Attention() {}

    /** The result of attention: the attended values and, when asked for, the weights. */
    public record Output(Tensor output, Tensor weights) {}

    /**
     * softmax(q k^T / sqrt(d) + mask) v, returning the weights too (computed by composing matmul,
     * maskedFill, softmax and dropout, which keeps the (..., L, S) weights). Shapes: q (..., L, d),
     * k (..., S, d), v (..., S, dv), mask broadcastable to (..., L, S) or null; with
     * {@code causal}, query i sits at position S - L + i and does not see the keys after it (the
     * usual lower-triangular mask when S == L). Returns (..., L, dv) and the weights (..., L, S).
     * Vaswani et al., 2017.
     */
    public static Output scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float dropout, boolean training, Generator gen) {
        return scaledDotProduct(q, k, v, mask, causal, dropout, training, gen, true);
    }

    /**
     * As {@link #scaledDotProduct(Tensor, Tensor, Tensor, Tensor, boolean, float, boolean,
     * Generator)}; when {@code needWeights} is false and no dropout applies ({@code dropout == 0}
     * or not {@code training}), computes the output with the fused kernel of
     * {@link #scaledDotProduct(Tensor, Tensor, Tensor, Tensor, boolean)} and returns null weights.
     */
    public static Output scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float dropout, boolean training,
                                          Generator gen, boolean needWeights) {
        checkShapes(q, k, v);
        if (!needWeights && (dropout == 0f || !training)) return new Output(fused(q, k, v, mask, causal), null);
        int l = q.size(-2), s = k.size(-2);
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul((float) (1 / Math.sqrt(q.size(-1))));
        if (causal) scores = scores.maskedFill(causalMask(l, s), Float.NEGATIVE_INFINITY);
        if (mask != null) scores = scores.maskedFill(mask, Float.NEGATIVE_INFINITY);
        Tensor weights = scores.softmax(-1);
        Tensor attended = F.dropout(weights, dropout, training, gen).matmul(v);
        return new Output(attended, weights);
    }

    /**
     * Fused scaled-dot-product attention, softmax(q k^T / sqrt(d) + mask) v, without keeping the
     * (L, S) scores (FlashAttention: Dao et al., 2022): the forward keeps one row of scores at a
     * time and saves only each row's log-sum-exp, from which the backward recomputes them.
     *
     * <p>Shapes: q (..., L, d), k (..., S, d), v (..., S, dv) of one rank, their leading (batch)
     * dimensions broadcast together, any strides (e.g. heads permuted out of a projection);
     * returns (..., L, dv).
     * {@code mask}: null, or broadcastable to (..., L, S); a non-zero entry excludes that key
     * (PyTorch's boolean convention). {@code causal}: query i sits at position S - L + i and does
     * not see the keys after it, so with S == L the usual lower-triangular mask, and with S > L
     * queries that continue S - L cached keys (a key/value cache's prefill). A query that sees
     * no key gives NaN. Differentiable in q, k and v (not twice).
     *
     * <pre>{@code
     * Tensor y = Attention.scaledDotProduct(q, k, v, null, true); // (N, heads, T, headDim)
     * }</pre>
     *
     * @throws IllegalArgumentException when the shapes do not fit, naming the op and the shapes
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        checkShapes(q, k, v);
        return fused(q, k, v, mask, causal);
    }

    private static void checkShapes(Tensor q, Tensor k, Tensor v) {
        if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim() || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2))
            throw new IllegalArgumentException("scaledDotProduct: expected q (..., L, d), k (..., S, d), v (..., S, dv), got "
                    + Shapes.str(q.shape()) + ", " + Shapes.str(k.shape()) + ", " + Shapes.str(v.shape()));
        batchShape(q, k, v);
    }

    /** The leading dimensions of q, k and v broadcast together. */
    private static int[] batchShape(Tensor q, Tensor k, Tensor v) {
        int r = q.dim() - 2;
        try {
            int[] qk = Shapes.broadcast(java.util.Arrays.copyOf(q.shape(), r), java.util.Arrays.copyOf(k.shape(), r), "scaledDotProduct");
            return Shapes.broadcast(qk, java.util.Arrays.copyOf(v.shape(), r), "scaledDotProduct");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scaledDotProduct: the leading dimensions of q " + Shapes.str(q.shape()) + ", k "
                    + Shapes.str(k.shape()) + " and v " + Shapes.str(v.shape()) + " do not broadcast");
        }
    }

    /** The fused op on q, k and v expanded (as views) to their common leading dimensions. */
    private static Tensor fused(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        int[] batch = batchShape(q, k, v);
        return fused(expandBatch(q, batch), expandBatch(k, batch), expandBatch(v, batch), mask, causal, AttentionKernels.get());
    }

    private static Tensor expandBatch(Tensor t, int[] batch) {
        return t.expand(Shapes.concat(batch, t.size(-2), t.size(-1)));
    }

    /** The fused op with the given kernels (tests compare the scalar and the vector ones); q, k, v checked, with equal leading dimensions. */
    static Tensor fused(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, AttentionKernels kernels) {
        int rank = q.dim(), l = q.size(-2), s = k.size(-2), d = q.size(-1), dv = v.size(-1);
        int[] batchShape = java.util.Arrays.copyOf(q.shape(), rank - 2);
        int batch = Shapes.numel(batchShape);
        FusedAttention.Operand maskOp = null;
        if (mask != null) {
            Tensor m;
            try {
                m = mask.detach().expand(Shapes.concat(batchShape, l, s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("scaledDotProduct: mask of shape " + Shapes.str(mask.shape()) + " does not broadcast to "
                        + Shapes.str(Shapes.concat(batchShape, l, s)) + " (queries " + Shapes.str(q.shape()) + ", keys " + Shapes.str(k.shape()) + ")");
            }
            maskOp = operand(m, batch);
        }
        var problem = new FusedAttention.Problem(batch, l, s, d, dv, (float) (1 / Math.sqrt(d)), maskOp, causal, s - l);
        float[] qs = new float[batch * l * d], kts = new float[batch * s * d], vs = new float[batch * s * dv];
        float[] out = new float[batch * l * dv], lse = new float[batch * l];
        FusedAttention.forward(kernels, problem, operand(q, batch), operand(k, batch), operand(v, batch), qs, kts, vs, out, lse);
        int[] qShape = q.shape(), kShape = k.shape(), vShape = v.shape();
        return Tensor.fromOp(out, Shapes.concat(batchShape, l, dv), "scaledDotProduct", new Tensor[] {q, k, v}, g -> {
            if (Autograd.isGradEnabled())
                throw new UnsupportedOperationException("scaledDotProduct: double backward (createGraph) is not supported");
            float[] dq = new float[qs.length], dk = new float[kts.length], dvs = new float[vs.length];
            FusedAttention.backward(kernels, problem, qs, kts, vs, out, lse, operand(g, batch), dq, dk, dvs);
            return new Tensor[] {Tensor.wrap(dq, qShape), Tensor.wrap(dk, kShape), Tensor.wrap(dvs, vShape)};
        });
    }

    /** The (batch, rows, cols) view of a tensor (..., rows, cols) whose leading dimensions hold batch entries. */
    private static FusedAttention.Operand operand(Tensor t, int batch) {
        int rank = t.dim();
        int[] shape = t.shape(), strides = t.strides();
        int[] base = new int[batch];
        int[] index = new int[rank - 2];
        int at = t.offset();
        for (int b = 0; b < batch; b++) {
            base[b] = at;
            for (int i = rank - 3; i >= 0; i--) { // next batch index, last dimension fastest
                index[i]++;
                at += strides[i];
                if (index[i] < shape[i]) break;
                at -= strides[i] * shape[i];
                index[i] = 0;
            }
        }
        return new FusedAttention.Operand(t.storage(), base, strides[rank - 2], strides[rank - 1]);
    }

    /** (n, n) with ones above the diagonal: key j > query i is masked. */
    public static Tensor causalMask(int n) {
        return causalMask(n, n);
    }

    /**
     * (l, s) with query i at position s - l + i: ones where key j lies after it (j > s - l + i),
     * the mask {@code causal} stands for.
     */
    public static Tensor causalMask(int l, int s) {
        float[] m = new float[l * s];
        for (int i = 0; i < l; i++) for (int j = Math.max(0, s - l + i + 1); j < s; j++) m[i * s + j] = 1f;
        return Tensor.wrap(m, l, s);
    }

    /**
     * Additive (Bahdanau) attention scores' softmax and context: e_j = v^T tanh(W_q q + W_k k_j),
     * a = softmax(e), context = sum_j a_j k_j. Shapes: query (N, Dq), keys (N, S, Dk), projected
     * query (N, A) and keys (N, S, A) given by the caller's layers (see {@link AdditiveAttention}),
     * v (A). Bahdanau, Cho and Bengio, 2015.
     */
    static Output additive(Tensor projectedQuery, Tensor projectedKeys, Tensor keys, Tensor v, Tensor keyPaddingMask) {
        Tensor e = projectedKeys.add(projectedQuery.unsqueeze(1)).tanh().matmul(v); // (N, S)
        if (keyPaddingMask != null) e = e.maskedFill(keyPaddingMask, Float.NEGATIVE_INFINITY);
        Tensor a = e.softmax(-1);
        return new Output(a.unsqueeze(1).matmul(keys).squeeze(1), a);
    }
}
