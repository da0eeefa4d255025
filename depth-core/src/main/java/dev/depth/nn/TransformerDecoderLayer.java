package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * A transformer decoder block with cross-attention (Vaswani et al., 2017), PyTorch's structure
 * and names (self_attn, multihead_attn, linear1, linear2, norm1..3):
 * <pre>
 * post-norm: x = norm1(x + SA(x, tgtMask)); x = norm2(x + CA(x, memory)); x = norm3(x + FF(x))
 * pre-norm:  x = x + SA(norm1(x));         x = x + CA(norm2(x), memory); x = x + FF(norm3(x))
 * </pre>
 * <p>Shape: tgt (T, N, E), memory (S, N, E), or batch first -> like tgt.
 */
public class TransformerDecoderLayer extends Module {
    public final MultiheadAttention selfAttn, multiheadAttn;
    public final Linear linear1, linear2;
    public final LayerNorm norm1, norm2, norm3;
    private final Dropout dropout, dropout1, dropout2, dropout3;
    private final boolean normFirst, gelu;

    public TransformerDecoderLayer(int dModel, int nhead) {
        this(dModel, nhead, TransformerEncoderLayer.DEFAULT_FEEDFORWARD, TransformerEncoderLayer.DEFAULT_DROPOUT, false, false, false, Init.generator());
    }

    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, float dropout, boolean gelu, boolean normFirst,
                                   boolean batchFirst, Generator gen) {
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, gen));
        multiheadAttn = registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, gen));
        linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, gen));
        this.dropout = registerModule("dropout", new Dropout(dropout, gen.split()));
        linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, gen));
        norm1 = registerModule("norm1", new LayerNorm(dModel));
        norm2 = registerModule("norm2", new LayerNorm(dModel));
        norm3 = registerModule("norm3", new LayerNorm(dModel));
        dropout1 = registerModule("dropout1", new Dropout(dropout, gen.split()));
        dropout2 = registerModule("dropout2", new Dropout(dropout, gen.split()));
        dropout3 = registerModule("dropout3", new Dropout(dropout, gen.split()));
        this.normFirst = normFirst;
        this.gelu = gelu;
    }

    /** Not a single-input layer: use {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException("TransformerDecoderLayer needs the encoder's memory: call forward(tgt, memory, ...)");
    }

    /** Masks may be null: tgtMask (T, T), memoryMask (T, S), key padding masks (N, T) and (N, S). */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        Tensor x = tgt;
        if (normFirst) {
            Tensor n1 = norm1.forward(x);
            x = x.add(dropout1.forward(selfAttn.forward(n1, n1, n1, tgtKeyPaddingMask, tgtMask, false).output()));
            x = x.add(dropout2.forward(multiheadAttn.forward(norm2.forward(x), memory, memory, memoryKeyPaddingMask, memoryMask, false).output()));
            return x.add(feedForward(norm3.forward(x)));
        }
        x = norm1.forward(x.add(dropout1.forward(selfAttn.forward(x, x, x, tgtKeyPaddingMask, tgtMask, false).output())));
        x = norm2.forward(x.add(dropout2.forward(multiheadAttn.forward(x, memory, memory, memoryKeyPaddingMask, memoryMask, false).output())));
        return norm3.forward(x.add(feedForward(x)));
    }

    private Tensor feedForward(Tensor x) {
        Tensor h = linear1.forward(x);
        h = gelu ? h.gelu() : h.relu();
        return dropout3.forward(linear2.forward(dropout.forward(h)));
    }

    @Override
    protected String extraRepr() {
        return (normFirst ? "pre-norm" : "post-norm") + ", " + (gelu ? "gelu" : "relu");
    }
}
