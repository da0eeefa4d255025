package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Fully connected layer: {@code y = x W^T + b}.
 *
 * <p>Shape: (..., inFeatures) -> (..., outFeatures).
 * <p>Parameters: weight (outFeatures, inFeatures) and bias (outFeatures), both initialised from
 * U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)) as PyTorch does (Kaiming uniform with a = sqrt(5)).
 * <pre>{@code
 * var fc = new Linear(784, 10);
 * Tensor logits = fc.forward(images.reshape(-1, 784)); // (batch, 10)
 * }</pre>
 */
public class Linear extends Module {
    public final int inFeatures, outFeatures;
    public final Tensor weight;
    public final Tensor bias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Init.generator());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen) {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new IllegalArgumentException("Linear: inFeatures and outFeatures must be positive, got " + inFeatures + ", " + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outFeatures)) : null;
        resetParameters(gen);
    }

    /** Re-draws the weights: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias. */
    public void resetParameters(Generator gen) {
        Init.kaimingUniform(weight, Math.sqrt(5), false, "leaky_relu", gen);
        if (bias != null) {
            double bound = 1 / Math.sqrt(inFeatures);
            Init.uniform(bias, -bound, bound, gen);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, weight, bias);
    }

    /**
     * A snapshot of this layer for inference, its weight packed once for the GEMM: the same outputs,
     * bit for bit, as this layer's forward pass now, without repacking the weight on every call.
     * Later changes to this layer are not seen by the snapshot (see {@link FrozenLinear}).
     */
    public FrozenLinear freeze() {
        return new FrozenLinear(this);
    }

    @Override
    protected String extraRepr() {
        return "inFeatures=" + inFeatures + ", outFeatures=" + outFeatures + ", bias=" + (bias != null);
    }
}
