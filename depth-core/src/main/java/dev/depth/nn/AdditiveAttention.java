package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Additive attention (Bahdanau, Cho and Bengio, 2015): e_j = v^T tanh(W_q q + W_k k_j),
 * a = softmax(e), context = sum_j a_j k_j.
 * <p>Shapes: query (N, queryDim), keys (N, S, keyDim), keyPaddingMask (N, S) non-zero = padding
 * -> context (N, keyDim) and weights (N, S).
 * <p>Parameters: query_proj (Linear queryDim to attentionDim, no bias), key_proj (Linear keyDim to
 * attentionDim), v (attentionDim) from U(-1/sqrt(attentionDim), 1/sqrt(attentionDim)).
 */
public class AdditiveAttention extends Module {
    public final Linear queryProj, keyProj;
    public final Tensor v;

    public AdditiveAttention(int queryDim, int keyDim, int attentionDim) {
        this(queryDim, keyDim, attentionDim, Init.generator());
    }

    public AdditiveAttention(int queryDim, int keyDim, int attentionDim, Generator gen) {
        queryProj = registerModule("query_proj", new Linear(queryDim, attentionDim, false, gen));
        keyProj = registerModule("key_proj", new Linear(keyDim, attentionDim, true, gen));
        v = registerParameter("v", Tensor.zeros(attentionDim));
        double bound = 1 / Math.sqrt(attentionDim);
        Init.uniform(v, -bound, bound, gen);
    }

    /** Context and weights for one query per example. */
    public Attention.Output forward(Tensor query, Tensor keys, Tensor keyPaddingMask) {
        if (query.dim() != 2 || keys.dim() != 3 || query.size(0) != keys.size(0))
            throw new IllegalArgumentException("AdditiveAttention: expected query (N, queryDim) and keys (N, S, keyDim), got "
                    + java.util.Arrays.toString(query.shape()) + " and " + java.util.Arrays.toString(keys.shape()));
        return Attention.additive(queryProj.forward(query), keyProj.forward(keys), keys, v, keyPaddingMask);
    }

    /** Not a single-input layer: use {@link #forward(Tensor, Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("AdditiveAttention needs a query and keys: call forward(query, keys, mask)");
    }
}
