package dev.depth.optim;

/**
 * Multiplies the learning rate by γ every step; PyTorch's {@code ExponentialLR}:
 * <pre>
 *   lr(t) = lr_0 · γ^t
 * </pre>
 * <pre>{@code
 * var schedule = new ExponentialLR(opt, 0.95);
 * }</pre>
 */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    /**
     * @param gamma the factor, finite and {@code > 0}
     * @throws IllegalArgumentException if gamma is out of range
     */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer, schedule(gamma));
        this.gamma = gamma;
    }

    private static Schedule schedule(double gamma) {
        require(gamma > 0 && Double.isFinite(gamma), "ExponentialLR", "gamma must be finite and > 0", gamma);
        return (base, t) -> base * Math.pow(gamma, t);
    }

    public double gamma() {
        return gamma;
    }

    @Override
    public String toString() {
        return "ExponentialLR(gamma=" + gamma + ", lastEpoch=" + lastEpoch() + ")";
    }
}
