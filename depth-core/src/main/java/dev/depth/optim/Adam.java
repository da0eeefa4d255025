package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * Adam: adaptive moment estimation, with optional L2 weight decay (added to the gradient) and the
 * AMSGrad variant; PyTorch's {@code torch.optim.Adam}. For decoupled weight decay use
 * {@link AdamW}.
 *
 * <p>With learning rate γ, betas (β1, β2), ε, weight decay λ, for each parameter θ at its step
 * t = 1, 2, ... (m_0 = v_0 = v̂max_0 = 0):
 * <pre>
 *   g_t = -∇f(θ_{t-1})  if maximize,  else ∇f(θ_{t-1})
 *   if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
 *   m_t = β1 m_{t-1} + (1 - β1) g_t
 *   v_t = β2 v_{t-1} + (1 - β2) g_t²
 *   m̂_t = m_t / (1 - β1^t)
 *   v̂_t = v_t / (1 - β2^t)
 *   if amsgrad:  v̂max_t = max(v̂max_{t-1}, v̂_t);   θ_t = θ_{t-1} - γ m̂_t / (sqrt(v̂max_t) + ε)
 *   else:                                          θ_t = θ_{t-1} - γ m̂_t / (sqrt(v̂_t) + ε)
 * </pre>
 * As in PyTorch, the running maximum is kept of v_t (the bias correction of step t divides it
 * afterwards). The update is computed as (γ c / (1 - β1^t)) m_t / (sqrt(v_t) + ε c) with
 * c = sqrt(1 - β2^t), the same quantity with one division per element fewer; it differs from
 * PyTorch's order of operations by a rounding or two.
 *
 * <p>Defaults: lr {@link #DEFAULT_LR}, betas ({@link #DEFAULT_BETA1}, {@link #DEFAULT_BETA2}),
 * eps {@link #DEFAULT_EPS}, weight decay {@link #DEFAULT_WEIGHT_DECAY}, amsgrad off.
 * <pre>{@code
 * var opt = new Adam(model.parameters(), 3e-4).betas(0.9, 0.98).eps(1e-9);
 * }</pre>
 *
 * <p>State per parameter: {@code "exp_avg"} (m), {@code "exp_avg_sq"} (v) and, with amsgrad,
 * {@code "max_exp_avg_sq"}.
 *
 * <p>Subnormal moments (the one departure from PyTorch, below float32 noise): where a gradient
 * stays zero, m and v decay into the subnormal range, where arithmetic is slow on many CPUs and
 * the JVM cannot set flush-to-zero. When ε &gt;= 1e-10 the update rounds every m and v through
 * {@code (x + 2^-100) - 2^-100}, which sets values below about 4.7e-38 (all subnormals) to 0 and
 * changes the update by less than one float32 rounding; with a smaller ε, nothing is flushed. On
 * the machine measured, 13% subnormal state made a step 4-8% slower without this and 35-60% slower
 * at 100%; with it the step time did not depend on the fraction.
 *
 * <p>Cost: one vectorised pass over each parameter (a second, light one with weight decay or
 * maximize); about 0.25 ns per element on one core of an AVX-512 server.
 *
 * <p>References: Kingma &amp; Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015);
 * Reddi, Kale &amp; Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018), AMSGrad.
 */
public final class Adam extends Optimizer {
    public static final double DEFAULT_LR = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;

    private double beta1 = DEFAULT_BETA1;
    private double beta2 = DEFAULT_BETA2;
    private double eps = DEFAULT_EPS;
    private boolean amsgrad;
    private boolean maximize;

    /** Adam over {@code params} with the default learning rate {@link #DEFAULT_LR}. */
    public Adam(List<Tensor> params) {
        this(params, DEFAULT_LR);
    }

    /**
     * Adam over {@code params} with learning rate {@code lr}.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or not finite, or {@code params}
     *                                  is empty
     */
    public Adam(List<Tensor> params, double lr) {
        super("Adam", params, lr, DEFAULT_WEIGHT_DECAY);
    }

    /** Sets the decay rates of the moment estimates, each in [0, 1); returns this. */
    public Adam betas(double beta1, double beta2) {
        this.beta1 = requireUnitInterval("beta1", beta1);
        this.beta2 = requireUnitInterval("beta2", beta2);
        return this;
    }

    /** Sets ε, added to the denominator (finite, {@code >= 0}); returns this. */
    public Adam eps(double eps) {
        this.eps = requireNonNegative("eps", eps);
        return this;
    }

    /** Sets the L2 weight decay λ of every group (and of groups added later); returns this. */
    public Adam weightDecay(double weightDecay) {
        setWeightDecayAll(weightDecay);
        return this;
    }

    /** Uses the AMSGrad variant; returns this. */
    public Adam amsgrad(boolean amsgrad) {
        this.amsgrad = amsgrad;
        return this;
    }

    /** Ascends the objective instead of descending it; returns this. */
    public Adam maximize(boolean maximize) {
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
    public Adam withGradClipNorm(double maxNorm) {
        super.withGradClipNorm(maxNorm);
        return this;
    }

    @Override
    public Adam withGradClipNorm(double maxNorm, double normType) {
        super.withGradClipNorm(maxNorm, normType);
        return this;
    }

    @Override
    public Adam withGradClipValue(double clipValue) {
        super.withGradClipValue(clipValue);
        return this;
    }

    @Override
    protected String[] bufferNames() {
        return AdamKernel.BUFFERS;
    }

    @Override
    protected void update(ParamGroup group, ParamState state, float[] p, float[] g, int n) {
        AdamKernel.step(state, p, g, workspace(n), n, group.lr(), beta1, beta2, eps, group.weightDecay(), 0, amsgrad, maximize);
    }

    @Override
    protected String describe() {
        return "betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + (amsgrad ? ", amsgrad" : "") + (maximize ? ", maximize" : "");
    }
}
