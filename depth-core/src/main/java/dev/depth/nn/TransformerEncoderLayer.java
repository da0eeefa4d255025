package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * A transformer encoder block (Vaswani et al., 2017) with PyTorch's structure and parameter
 * names (self_attn, linear1, linear2, norm1, norm2):
 * <pre>
 * post-norm (default): x = norm1(x + SA(x));  x = norm2(x + FF(x))
 * pre-norm (normFirst): x = x + SA(norm1(x)); x = x + FF(norm2(x))
 * FF(x) = linear2(dropout(act(linear1(x))))
 * </pre>
 * With a causal mask it is also the decoder-only (GPT) block.
 * <p>Shape: (S, N, E), or (N, S, E) with batchFirst -> same. Masks as {@link MultiheadAttention}.
 */
public class TransformerEncoderLayer extends Module {
    /** PyTorch's default feed-forward width. */
    public static final int DEFAULT_FEEDFORWARD = 2048;
    /** PyTorch's default dropout. */
    public static final float DEFAULT_DROPOUT = 0.1f;

    public final MultiheadAttention selfAttn;
    public final Linear linear1, linear2;
    public final LayerNorm norm1, norm2;
    private final Dropout dropout, dropout1, dropout2;
    private final boolean normFirst, gelu;

    public TransformerEncoderLayer(int dModel, int nhead) {
        this(dModel, nhead, DEFAULT_FEEDFORWARD, DEFAULT_DROPOUT, false, false, false, Init.generator());
    }

    /**
     * @param gelu GELU in the feed-forward block instead of ReLU
     * @param normFirst pre-norm instead of post-norm
     */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, float dropout, boolean gelu, boolean normFirst,
                                   boolean batchFirst, Generator gen) {
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, gen));
        linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, gen));
        this.dropout = registerModule("dropout", new Dropout(dropout, gen.split()));
        linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, gen));
        norm1 = registerModule("norm1", new LayerNorm(dModel));
        norm2 = registerModule("norm2", new LayerNorm(dModel));
        dropout1 = registerModule("dropout1", new Dropout(dropout, gen.split()));
        dropout2 = registerModule("dropout2", new Dropout(dropout, gen.split()));
        this.normFirst = normFirst;
        this.gelu = gelu;
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /** With an attention mask (S, S) and a key padding mask (N, S); either may be null. */
    public Tensor forward(Tensor src, Tensor mask, Tensor keyPaddingMask) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.forward(x), mask, keyPaddingMask));
            return x.add(feedForward(norm2.forward(x)));
        }
        x = norm1.forward(x.add(selfAttention(x, mask, keyPaddingMask)));
        return norm2.forward(x.add(feedForward(x)));
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask, mask, false).output());
    }

    private Tensor feedForward(Tensor x) {
        Tensor h = linear1.forward(x);
        h = gelu ? h.gelu() : h.relu();
        return dropout2.forward(linear2.forward(dropout.forward(h)));
    }

    @Override
    protected String extraRepr() {
        return (normFirst ? "pre-norm" : "post-norm") + ", " + (gelu ? "gelu" : "relu");
    }
}
