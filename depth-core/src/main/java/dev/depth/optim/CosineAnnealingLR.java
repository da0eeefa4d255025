package dev.depth.optim;

/**
 * Anneals the learning rate from its base value to {@code etaMin} along half a cosine over
 * {@code tMax} steps; PyTorch's {@code CosineAnnealingLR} (SGDR without restarts):
 * <pre>
 *   lr(t) = η_min + (lr_0 - η_min) · (1 + cos(π t / T_max)) / 2
 * </pre>
 * Past T_max the formula continues, so the rate rises again towards lr_0 at 2 T_max (as in
 * PyTorch); stop stepping at T_max, or use {@link WarmupCosine}, to stay at the minimum.
 * <pre>{@code
 * var schedule = new CosineAnnealingLR(opt, 100, 1e-5);
 * }</pre>
 *
 * <p>Reference: Loshchilov &amp; Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts"
 * (ICLR 2017).
 */
public final class CosineAnnealingLR extends LRScheduler {
    public static final double DEFAULT_ETA_MIN = 0.0;

    private final int tMax;
    private final double etaMin;

    /** Anneals to {@link #DEFAULT_ETA_MIN} over {@code tMax} steps. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, DEFAULT_ETA_MIN);
    }

    /**
     * @param tMax   the number of steps from the base rate to the minimum, {@code >= 1}
     * @param etaMin the minimum rate, finite and {@code >= 0}
     * @throws IllegalArgumentException if a value is out of range
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer, schedule(tMax, etaMin));
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    private static Schedule schedule(int tMax, double etaMin) {
        require(tMax >= 1, "CosineAnnealingLR", "tMax must be >= 1", tMax);
        require(etaMin >= 0 && Double.isFinite(etaMin), "CosineAnnealingLR", "etaMin must be finite and >= 0", etaMin);
        return (base, t) -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }

    public int tMax() {
        return tMax;
    }

    public double etaMin() {
        return etaMin;
    }

    @Override
    public String toString() {
        return "CosineAnnealingLR(tMax=" + tMax + ", etaMin=" + etaMin + ", lastEpoch=" + lastEpoch() + ")";
    }
}
