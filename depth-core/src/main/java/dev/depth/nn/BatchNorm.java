package dev.depth.nn;

import dev.depth.tensor.Tensor;

/**
 * Batch normalisation over every dimension but the channel dimension 1 (Ioffe and Szegedy, 2015):
 * y = (x - mean) / sqrt(var + eps) * gamma + beta, with batch statistics in training (running
 * statistics updated with {@code momentum}) and the running statistics in evaluation.
 * <p>Parameters: weight ones, bias zeros (numFeatures); buffers runningMean zeros, runningVar ones.
 * Defaults: eps {@link #DEFAULT_EPS}, momentum {@link #DEFAULT_MOMENTUM}.
 */
public abstract class BatchNorm extends Module {
    public static final float DEFAULT_EPS = 1e-5f, DEFAULT_MOMENTUM = 0.1f;
    public final int numFeatures;
    private final float eps, momentum;
    private final int expectedRankLow, expectedRankHigh;
    public final Tensor weight, bias, runningMean, runningVar;

    protected BatchNorm(int numFeatures, float eps, float momentum, int expectedRankLow, int expectedRankHigh) {
        if (numFeatures <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures must be positive, got " + numFeatures);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.expectedRankLow = expectedRankLow;
        this.expectedRankHigh = expectedRankHigh;
        this.weight = registerParameter("weight", Tensor.ones(numFeatures));
        this.bias = registerParameter("bias", Tensor.zeros(numFeatures));
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
        this.runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < expectedRankLow || x.dim() > expectedRankHigh || x.size(1) != numFeatures)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected input of rank " + expectedRankLow
                    + (expectedRankHigh != expectedRankLow ? "-" + expectedRankHigh : "") + " with " + numFeatures
                    + " channels in dimension 1, got " + java.util.Arrays.toString(x.shape()));
        return F.batchNorm(x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum;
    }
}
