package dev.depth.nn;

import dev.depth.tensor.Tensor;

import java.util.Arrays;

/**
 * Layer normalisation over the trailing dimensions: y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta.
 * Ba, Kiros and Hinton, 2016.
 * <p>Shape: (..., *normalizedShape) -> same.
 * <p>Parameters: weight (gamma) ones and bias (beta) zeros of normalizedShape; eps defaults to {@link #DEFAULT_EPS}.
 */
public class LayerNorm extends Module {
    public static final float DEFAULT_EPS = 1e-5f;
    private final int[] normalizedShape;
    private final float eps;
    public final Tensor weight, bias;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, DEFAULT_EPS, true);
    }

    public LayerNorm(int[] normalizedShape, float eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm: normalizedShape must not be empty");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps;
    }
}
