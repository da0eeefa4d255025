package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * Adagrad: per-coordinate step sizes that shrink with the sum of all past squared gradients;
 * PyTorch's {@code torch.optim.Adagrad}.
 *
 * <p>With learning rate γ, learning-rate decay η, weight decay λ, initial accumulator value τ and
 * ε, for each parameter θ at its step t = 1, 2, ... (s_0 = τ):
 * <pre>
 *   g_t = -∇f(θ_{t-1})  if maximize,  else ∇f(θ_{t-1})
 *   γ̃ = γ / (1 + (t - 1) η)
 *   if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
 *   s_t = s_{t-1} + g_t²
 *   θ_t = θ_{t-1} - γ̃ g_t / (sqrt(s_t) + ε)
 * </pre>
 *
 * <p>Defaults: lr {@link #DEFAULT_LR}, lr decay {@link #DEFAULT_LR_DECAY}, initial accumulator
 * value {@link #DEFAULT_INITIAL_ACCUMULATOR_VALUE}, eps {@link #DEFAULT_EPS}, weight decay
 * {@link #DEFAULT_WEIGHT_DECAY}.
 * <pre>{@code
 * var opt = new Adagrad(embedding.parameters(), 0.05).initialAccumulatorValue(0.1);
 * }</pre>
 *
 * <p>State per parameter: {@code "sum"} (s).
 *
 * <p>Reference: Duchi, Hazan &amp; Singer, "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization" (JMLR 2011).
 */
public final class Adagrad extends Optimizer {
    public static final double DEFAULT_LR = 1e-2;
    public static final double DEFAULT_LR_DECAY = 0.0;
    public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0.0;
    public static final double DEFAULT_EPS = 1e-10;
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;

    private static final String[] BUFFERS = {"sum"};
    private static final int SUM = 0;

    private double lrDecay = DEFAULT_LR_DECAY;
    private double initialAccumulatorValue = DEFAULT_INITIAL_ACCUMULATOR_VALUE;
    private double eps = DEFAULT_EPS;
    private boolean maximize;

    /** Adagrad over {@code params} with the default learning rate {@link #DEFAULT_LR}. */
    public Adagrad(List<Tensor> params) {
        this(params, DEFAULT_LR);
    }

    /**
     * Adagrad over {@code params} with learning rate {@code lr}.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or not finite, or {@code params}
     *                                  is empty
     */
    public Adagrad(List<Tensor> params, double lr) {
        super("Adagrad", params, lr, DEFAULT_WEIGHT_DECAY);
    }

    /** Sets the learning-rate decay η (finite, {@code >= 0}); returns this. */
    public Adagrad lrDecay(double lrDecay) {
        this.lrDecay = requireNonNegative("lr_decay", lrDecay);
        return this;
    }

    /**
     * Sets the value τ the accumulator starts from (finite, {@code >= 0}); it applies to
     * parameters that have not taken a step yet. Returns this.
     */
    public Adagrad initialAccumulatorValue(double value) {
        this.initialAccumulatorValue = requireNonNegative("initial_accumulator_value", value);
        return this;
    }

    /** Sets ε, added to the denominator (finite, {@code >= 0}); returns this. */
    public Adagrad eps(double eps) {
        this.eps = requireNonNegative("eps", eps);
        return this;
    }

    /** Sets the L2 weight decay λ of every group (and of groups added later); returns this. */
    public Adagrad weightDecay(double weightDecay) {
        setWeightDecayAll(weightDecay);
        return this;
    }

    /** Ascends the objective instead of descending it; returns this. */
    public Adagrad maximize(boolean maximize) {
        this.maximize = maximize;
        return this;
    }

    public double lrDecay() {
        return lrDecay;
    }

    public double initialAccumulatorValue() {
        return initialAccumulatorValue;
    }

    public double eps() {
        return eps;
    }

    public boolean maximize() {
        return maximize;
    }

    @Override
    public Adagrad withGradClipNorm(double maxNorm) {
        super.withGradClipNorm(maxNorm);
        return this;
    }

    @Override
    public Adagrad withGradClipNorm(double maxNorm, double normType) {
        super.withGradClipNorm(maxNorm, normType);
        return this;
    }

    @Override
    public Adagrad withGradClipValue(double clipValue) {
        super.withGradClipValue(clipValue);
        return this;
    }

    @Override
    protected String[] bufferNames() {
        return BUFFERS;
    }

    @Override
    protected void update(ParamGroup group, ParamState state, float[] p, float[] g, int n) {
        final float sign = maximize ? -1f : 1f;
        final float wd = (float) group.weightDecay();
        final float negClr = (float) -(group.lr() / (1 + (state.step() - 1) * lrDecay));
        final float e = (float) eps;
        final float[] sum = state.buffer(SUM, n, (float) initialAccumulatorValue);
        if (n < PARALLEL_MIN_ELEMENTS) range(p, g, sum, sign, wd, e, negClr, 0, n);
        else forRange(n, (from, to) -> range(p, g, sum, sign, wd, e, negClr, from, to));
    }

    private static void range(float[] p, float[] g, float[] sum, float sign, float wd, float eps, float negClr,
                              int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = sign * g[i] + wd * p[i];
            float s = sum[i] + gi * gi;
            sum[i] = s;
            p[i] += negClr * (gi / ((float) Math.sqrt(s) + eps));
        }
    }

    @Override
    protected String describe() {
        return "lr_decay=" + lrDecay + ", initial_accumulator_value=" + initialAccumulatorValue + ", eps=" + eps
                + (maximize ? ", maximize" : "");
    }
}
