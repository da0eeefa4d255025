package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * AdamW: Adam with decoupled weight decay; PyTorch's {@code torch.optim.AdamW}. The decay shrinks
 * the parameter directly, scaled by the learning rate, instead of entering the gradient (and so the
 * adaptive denominators) as L2 regularisation does in {@link Adam}.
 *
 * <p>With learning rate γ, betas (β1, β2), ε, weight decay λ, for each parameter θ at its step
 * t = 1, 2, ... (m_0 = v_0 = v̂max_0 = 0):
 * <pre>
 *   g_t = -∇f(θ_{t-1})  if maximize,  else ∇f(θ_{t-1})
 *   θ_t = θ_{t-1} - γ λ θ_{t-1}
 *   m_t = β1 m_{t-1} + (1 - β1) g_t
 *   v_t = β2 v_{t-1} + (1 - β2) g_t²
 *   m̂_t = m_t / (1 - β1^t)
 *   v̂_t = v_t / (1 - β2^t)
 *   if amsgrad:  v̂max_t = max(v̂max_{t-1}, v̂_t);   θ_t = θ_t - γ m̂_t / (sqrt(v̂max_t) + ε)
 *   else:                                          θ_t = θ_t - γ m̂_t / (sqrt(v̂_t) + ε)
 * </pre>
 * The decay uses the group's current γ, so a schedule scales it too (PyTorch's convention; the
 * paper's η_t schedule multiplier plays that role).
 *
 * <p>Defaults: lr {@link #DEFAULT_LR}, betas ({@link #DEFAULT_BETA1}, {@link #DEFAULT_BETA2}),
 * eps {@link #DEFAULT_EPS}, weight decay {@link #DEFAULT_WEIGHT_DECAY} (not 0, unlike Adam),
 * amsgrad off.
 * <pre>{@code
 * var opt = new AdamW(model.parameters(), 3e-4).weightDecay(0.1).betas(0.9, 0.95);
 * }</pre>
 *
 * <p>State per parameter: {@code "exp_avg"}, {@code "exp_avg_sq"} and, with amsgrad,
 * {@code "max_exp_avg_sq"}.
 *
 * <p>Subnormal m and v are flushed to zero when ε &gt;= 1e-10, as in {@link Adam} (below float32
 * noise; see there).
 *
 * <p>Reference: Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).
 */
public final class AdamW extends Optimizer {
    public static final double DEFAULT_LR = Adam.DEFAULT_LR;
    public static final double DEFAULT_BETA1 = Adam.DEFAULT_BETA1;
    public static final double DEFAULT_BETA2 = Adam.DEFAULT_BETA2;
    public static final double DEFAULT_EPS = Adam.DEFAULT_EPS;
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;

    private double beta1 = DEFAULT_BETA1;
    private double beta2 = DEFAULT_BETA2;
    private double eps = DEFAULT_EPS;
    private boolean amsgrad;
    private boolean maximize;

    /** AdamW over {@code params} with the default learning rate {@link #DEFAULT_LR}. */
    public AdamW(List<Tensor> params) {
        this(params, DEFAULT_LR);
    }

    /**
     * AdamW over {@code params} with learning rate {@code lr} and weight decay
     * {@link #DEFAULT_WEIGHT_DECAY}.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or not finite, or {@code params}
     *                                  is empty
     */
    public AdamW(List<Tensor> params, double lr) {
        super("AdamW", params, lr, DEFAULT_WEIGHT_DECAY);
    }

    /** Sets the decay rates of the moment estimates, each in [0, 1); returns this. */
    public AdamW betas(double beta1, double beta2) {
        this.beta1 = requireUnitInterval("beta1", beta1);
        this.beta2 = requireUnitInterval("beta2", beta2);
        return this;
    }

    /** Sets ε, added to the denominator (finite, {@code >= 0}); returns this. */
    public AdamW eps(double eps) {
        this.eps = requireNonNegative("eps", eps);
        return this;
    }

    /** Sets the decoupled weight decay λ of every group (and of groups added later); returns this. */
    public AdamW weightDecay(double weightDecay) {
        setWeightDecayAll(weightDecay);
        return this;
    }

    /** Uses the AMSGrad variant; returns this. */
    public AdamW amsgrad(boolean amsgrad) {
        this.amsgrad = amsgrad;
        return this;
    }

    /** Ascends the objective instead of descending it; returns this. */
    public AdamW maximize(boolean maximize) {
        this.maximize = maximize;
        return this;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public boolean amsgrad() {
        return amsgrad;
    }

    public boolean maximize() {
        return maximize;
    }

    @Override
    public AdamW withGradClipNorm(double maxNorm) {
        super.withGradClipNorm(maxNorm);
        return this;
    }

    @Override
    public AdamW withGradClipNorm(double maxNorm, double normType) {
        super.withGradClipNorm(maxNorm, normType);
        return this;
    }

    @Override
    public AdamW withGradClipValue(double clipValue) {
        super.withGradClipValue(clipValue);
        return this;
    }

    @Override
    protected String[] bufferNames() {
        return AdamKernel.BUFFERS;
    }

    @Override
    protected void update(ParamGroup group, ParamState state, float[] p, float[] g, int n) {
        AdamKernel.step(state, p, g, workspace(n), n, group.lr(), beta1, beta2, eps, 0, group.weightDecay(), amsgrad, maximize);
    }

    @Override
    protected String describe() {
        return "betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + (amsgrad ? ", amsgrad" : "") + (maximize ? ", maximize" : "");
    }
}
