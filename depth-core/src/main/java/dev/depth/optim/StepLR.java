package dev.depth.optim;

/**
 * Multiplies the learning rate by γ every {@code stepSize} steps; PyTorch's {@code StepLR}:
 * <pre>
 *   lr(t) = lr_0 · γ^⌊t / stepSize⌋
 * </pre>
 * <pre>{@code
 * var schedule = new StepLR(opt, 30, 0.1);   // per epoch: 0.1, then 0.01 from epoch 30, ...
 * }</pre>
 */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /**
     * @param stepSize the period of the decay, {@code >= 1}
     * @param gamma    the factor, finite and {@code > 0}
     * @throws IllegalArgumentException if a value is out of range
     */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer, schedule(stepSize, gamma));
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    private static Schedule schedule(int stepSize, double gamma) {
        require(stepSize >= 1, "StepLR", "stepSize must be >= 1", stepSize);
        require(gamma > 0 && Double.isFinite(gamma), "StepLR", "gamma must be finite and > 0", gamma);
        return (base, t) -> base * Math.pow(gamma, t / stepSize);
    }

    public int stepSize() {
        return stepSize;
    }

    public double gamma() {
        return gamma;
    }

    @Override
    public String toString() {
        return "StepLR(stepSize=" + stepSize + ", gamma=" + gamma + ", lastEpoch=" + lastEpoch() + ")";
    }
}
