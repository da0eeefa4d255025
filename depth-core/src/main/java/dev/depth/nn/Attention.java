package dev.depth.nn;

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
     * softmax(q k^T / sqrt(d) + mask) v. Shapes: q (..., L, d), k (..., S, d), v (..., S, dv),
     * mask broadcastable to (..., L, S) or null; {@code causal} masks keys after each query
     * (S == L). Returns (..., L, dv) and the weights (..., L, S). Vaswani et al., 2017.
     */
    public static Output scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float dropout, boolean training, Generator gen) {
        if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim() || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2))
            throw new IllegalArgumentException("scaledDotProduct: expected q (..., L, d), k (..., S, d), v (..., S, dv), got "
                    + Shapes.str(q.shape()) + ", " + Shapes.str(k.shape()) + ", " + Shapes.str(v.shape()));
        int l = q.size(-2), s = k.size(-2);
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul((float) (1 / Math.sqrt(q.size(-1))));
        if (causal) {
            if (l != s) throw new IllegalArgumentException("scaledDotProduct: causal attention needs as many keys as queries, got L=" + l + ", S=" + s);
            scores = scores.maskedFill(causalMask(l), Float.NEGATIVE_INFINITY);
        }
        if (mask != null) scores = scores.maskedFill(mask, Float.NEGATIVE_INFINITY);
        Tensor weights = scores.softmax(-1);
        Tensor attended = F.dropout(weights, dropout, training, gen).matmul(v);
        return new Output(attended, weights);
    }

    /** (n, n) with ones above the diagonal: key j > query i is masked. */
    public static Tensor causalMask(int n) {
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) m[i * n + j] = 1f;
        return Tensor.wrap(m, n, n);
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
