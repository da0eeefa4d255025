package dev.depth.optim;

/**
 * Linear warm-up followed by cosine annealing, the usual schedule for transformers: the rate
 * climbs linearly from {@code startFactor · lr_0} to lr_0 over W = {@code warmupSteps} steps,
 * then follows half a cosine down to {@code minLr} at T = {@code totalSteps}, and stays there:
 * <pre>
 *   lr(t) = lr_0 · (s + (1 - s) · t / W)                                 for t &lt; W
 *   lr(t) = η_min + (lr_0 - η_min) · (1 + cos(π (t - W) / (T - W))) / 2   for W ≤ t ≤ T
 *   lr(t) = η_min                                                         for t &gt; T
 * </pre>
 * Up to T this equals PyTorch's
 * {@code SequentialLR([LinearLR(start_factor=s, total_iters=W), CosineAnnealingLR(T_max=T-W, eta_min=η_min)], milestones=[W])}
 * (which needs s &gt; 0; here s = 0, warming up from zero, is allowed and is the default).
 * <pre>{@code
 * var schedule = new WarmupCosine(opt, 2_000, 100_000);      // step() once per iteration
 * }</pre>
 *
 * <p>Reference: Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour" (2017),
 * warm-up; Loshchilov &amp; Hutter, "SGDR" (ICLR 2017), cosine.
 */
public final class WarmupCosine extends LRScheduler {
    public static final double DEFAULT_START_FACTOR = 0.0;
    public static final double DEFAULT_MIN_LR = 0.0;

    private final int warmupSteps;
    private final int totalSteps;
    private final double startFactor;
    private final double minLr;

    /** Warms up from 0 over {@code warmupSteps}, then anneals to {@link #DEFAULT_MIN_LR} at {@code totalSteps}. */
    public WarmupCosine(Optimizer optimizer, int warmupSteps, int totalSteps) {
        this(optimizer, warmupSteps, totalSteps, DEFAULT_START_FACTOR, DEFAULT_MIN_LR);
    }

    /**
     * @param warmupSteps W, the length of the warm-up, {@code >= 0} (0: start the cosine at once)
     * @param totalSteps  T, where the cosine reaches {@code minLr}, {@code > warmupSteps}
     * @param startFactor s, the fraction of the base rate at t = 0, in [0, 1]
     * @param minLr       η_min, the final rate, finite and {@code >= 0}
     * @throws IllegalArgumentException if a value is out of range
     */
    public WarmupCosine(Optimizer optimizer, int warmupSteps, int totalSteps, double startFactor, double minLr) {
        super(optimizer, schedule(warmupSteps, totalSteps, startFactor, minLr));
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.startFactor = startFactor;
        this.minLr = minLr;
    }

    private static Schedule schedule(int warmup, int total, double startFactor, double minLr) {
        require(warmup >= 0, "WarmupCosine", "warmupSteps must be >= 0", warmup);
        require(total > warmup, "WarmupCosine", "totalSteps must be > warmupSteps (" + warmup + ")", total);
        require(startFactor >= 0 && startFactor <= 1, "WarmupCosine", "startFactor must be in [0, 1]", startFactor);
        require(minLr >= 0 && Double.isFinite(minLr), "WarmupCosine", "minLr must be finite and >= 0", minLr);
        return (base, t) -> {
            if (t < warmup) return base * (startFactor + (1 - startFactor) * t / warmup);
            if (t > total) return minLr;
            return minLr + (base - minLr) * (1 + Math.cos(Math.PI * (t - warmup) / (total - warmup))) / 2;
        };
    }

    public int warmupSteps() {
        return warmupSteps;
    }

    public int totalSteps() {
        return totalSteps;
    }

    public double startFactor() {
        return startFactor;
    }

    public double minLr() {
        return minLr;
    }

    @Override
    public String toString() {
        return "WarmupCosine(warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps + ", startFactor=" + startFactor
                + ", minLr=" + minLr + ", lastEpoch=" + lastEpoch() + ")";
    }
}
