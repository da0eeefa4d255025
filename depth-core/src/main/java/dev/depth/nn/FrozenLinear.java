package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.Gemm;
import dev.depth.tensor.Shapes;
import dev.depth.tensor.Tensor;

/**
 * A {@link Linear} layer frozen for inference ({@link Linear#freeze()}): a snapshot of its weight,
 * packed once into the GEMM's panels ({@link Gemm#packWeights}), and of its bias. Its outputs are
 * bit-identical to the layer's at the time of the snapshot; later changes to the layer (training,
 * {@code loadStateDict}) are not seen. It has no parameters and records no graph: an input that
 * requires a gradient while gradients are recorded is refused.
 *
 * <p>Why: a linear layer's forward pass packs W^T into the micro-kernel's panels on every call
 * that takes the packed path (a batch of rows). With fixed weights that work can be done once: on
 * the W6 MLP at batch 256 the packing was 3% of the first layer's product (256 x 784 by 784 x 512)
 * and 12% of the second's (256 x 512 by 512 x 256).
 */
public final class FrozenLinear extends Module {
    public final int inFeatures, outFeatures;
    private final Gemm.PackedWeights weight;
    private final float[] bias;

    private FrozenLinear(FrozenLinear other) {
        this.inFeatures = other.inFeatures;
        this.outFeatures = other.outFeatures;
        this.weight = other.weight;
        this.bias = other.bias;
    }

    /** Another module over the same snapshot (which is never written). */
    FrozenLinear copy() {
        return new FrozenLinear(this);
    }

    FrozenLinear(Linear source) {
        Tensor w = source.weight.contiguous();
        if (source.weight.dim() != 2 || source.weight.size(0) != source.outFeatures || source.weight.size(1) != source.inFeatures)
            throw new IllegalStateException("freeze: Linear(" + source.inFeatures + ", " + source.outFeatures + ") holds a weight of shape "
                    + Shapes.str(source.weight.shape()) + ", expected [" + source.outFeatures + ", " + source.inFeatures + "]");
        if (source.bias != null && (source.bias.dim() != 1 || source.bias.size(0) != source.outFeatures))
            throw new IllegalStateException("freeze: Linear(" + source.inFeatures + ", " + source.outFeatures + ") holds a bias of shape "
                    + Shapes.str(source.bias.shape()) + ", expected [" + source.outFeatures + "]");
        this.inFeatures = source.inFeatures;
        this.outFeatures = source.outFeatures;
        this.weight = Gemm.packWeights(outFeatures, inFeatures, w.storage(), w.offset());
        this.bias = source.bias == null ? null : source.bias.contiguous().toFloatArray();
    }

    /** y = x W^T + b over x (..., inFeatures): (..., outFeatures). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 1 || x.size(-1) != inFeatures)
            throw new IllegalArgumentException("FrozenLinear: input of shape " + Shapes.str(x.shape()) + " does not end in in_features=" + inFeatures);
        if (x.requiresGrad() && Autograd.isGradEnabled())
            throw new IllegalStateException("FrozenLinear: the input requires a gradient, but a frozen layer is for inference only "
                    + "(run it under Autograd.noGrad(), or train the Linear it was frozen from)");
        Tensor xc = x.contiguous();
        int rows = x.numel() / inFeatures;
        float[] y = new float[rows * outFeatures];
        linear(rows, xc.storage(), xc.offset(), false, y);
        int[] shape = x.shape();
        shape[shape.length - 1] = outFeatures;
        return Tensor.wrap(y, shape);
    }

    /** The product on raw rows (for {@link LinearChain}): y[0, rows * outFeatures) from x at xOff. */
    void linear(int rows, float[] x, int xOff, boolean relu, float[] y) {
        Gemm.linear(rows, weight, x, xOff, bias, 0, relu, y, 0);
    }

    @Override
    protected String extraRepr() {
        return "inFeatures=" + inFeatures + ", outFeatures=" + outFeatures + ", bias=" + (bias != null);
    }
}
