package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov), dampening and
 * L2 weight decay; PyTorch's {@code torch.optim.SGD}.
 *
 * <p>With learning rate γ, weight decay λ, momentum μ, dampening τ, for each parameter θ with
 * gradient ∇f(θ) at its step t = 1, 2, ...:
 * <pre>
 *   g_t = -∇f(θ_{t-1})  if maximize,  else ∇f(θ_{t-1})
 *   if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
 *   if μ ≠ 0:
 *       b_t = g_t                          if t = 1
 *       b_t = μ b_{t-1} + (1 - τ) g_t      if t &gt; 1
 *       g_t = g_t + μ b_t                  if nesterov
 *       g_t = b_t                          otherwise
 *   θ_t = θ_{t-1} - γ g_t
 * </pre>
 * Note that the first momentum buffer is the gradient itself, undamped (as in PyTorch), and that
 * this form of momentum scales the velocity by γ at each step rather than inside the buffer
 * (Sutskever et al. 2013 put γ inside; the two agree for a constant γ).
 *
 * <p>The learning rate has no default; momentum, dampening and weight decay default to
 * {@link #DEFAULT_MOMENTUM}, {@link #DEFAULT_DAMPENING} and {@link #DEFAULT_WEIGHT_DECAY}. Nesterov
 * requires momentum &gt; 0 and dampening 0; that is checked when {@link #step()} runs, so the
 * fluent setters may be called in any order:
 * <pre>{@code
 * var opt = new SGD(model.parameters(), 0.1).momentum(0.9).nesterov(true).weightDecay(5e-4);
 * }</pre>
 *
 * <p>State per parameter: {@code "momentum_buffer"} (when μ ≠ 0).
 *
 * <p>References: Robbins &amp; Monro (1951); Polyak (1964), momentum; Sutskever, Martens, Dahl &amp;
 * Hinton, "On the importance of initialization and momentum in deep learning" (ICML 2013).
 */
public final class SGD extends Optimizer {
    public static final double DEFAULT_MOMENTUM = 0.0;
    public static final double DEFAULT_DAMPENING = 0.0;
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;

    private static final String[] BUFFERS = {"momentum_buffer"};
    private static final int MOMENTUM_BUFFER = 0;

    private double momentum = DEFAULT_MOMENTUM;
    private double dampening = DEFAULT_DAMPENING;
    private boolean nesterov;
    private boolean maximize;

    /**
     * Plain SGD over {@code params} with learning rate {@code lr}.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or not finite, or {@code params}
     *                                  is empty
     */
    public SGD(List<Tensor> params, double lr) {
        super("SGD", params, lr, DEFAULT_WEIGHT_DECAY);
    }

    /** Sets the momentum factor μ (finite, {@code >= 0}); returns this. */
    public SGD momentum(double momentum) {
        this.momentum = requireNonNegative("momentum", momentum);
        return this;
    }

    /** Sets the dampening τ of the momentum buffer, in [0, 1]; returns this. */
    public SGD dampening(double dampening) {
        this.dampening = requireClosedUnitInterval("dampening", dampening);
        return this;
    }

    /** Uses Nesterov momentum (needs momentum &gt; 0 and dampening 0); returns this. */
    public SGD nesterov(boolean nesterov) {
        this.nesterov = nesterov;
        return this;
    }

    /** Sets the L2 weight decay λ of every group (and of groups added later); returns this. */
    public SGD weightDecay(double weightDecay) {
        setWeightDecayAll(weightDecay);
        return this;
    }

    /** Ascends the objective instead of descending it; returns this. */
    public SGD maximize(boolean maximize) {
        this.maximize = maximize;
        return this;
    }

    public double momentum() {
        return momentum;
    }

    public double dampening() {
        return dampening;
    }

    public boolean nesterov() {
        return nesterov;
    }

    public boolean maximize() {
        return maximize;
    }

    @Override
    public SGD withGradClipNorm(double maxNorm) {
        super.withGradClipNorm(maxNorm);
        return this;
    }

    @Override
    public SGD withGradClipNorm(double maxNorm, double normType) {
        super.withGradClipNorm(maxNorm, normType);
        return this;
    }

    @Override
    public SGD withGradClipValue(double clipValue) {
        super.withGradClipValue(clipValue);
        return this;
    }

    @Override
    protected void checkConfiguration() {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new IllegalStateException("SGD: Nesterov momentum requires momentum > 0 and dampening 0, got momentum "
                    + momentum + " and dampening " + dampening);
    }

    @Override
    protected String[] bufferNames() {
        return BUFFERS;
    }

    @Override
    protected void update(ParamGroup group, ParamState state, float[] p, float[] g, int n) {
        final float sign = maximize ? -1f : 1f;
        // With λ = 0 the loops still add 0 * θ, which is exact for finite θ (PyTorch skips the
        // term; the two differ only on a parameter that is already infinite or NaN).
        final float wd = (float) group.weightDecay();
        final float negLr = (float) -group.lr();
        if (momentum == 0) {
            if (n < PARALLEL_MIN_ELEMENTS) descend(p, g, sign, wd, negLr, 0, n);
            else forRange(n, (from, to) -> descend(p, g, sign, wd, negLr, from, to));
            return;
        }
        final boolean first = state.buffer(MOMENTUM_BUFFER) == null;
        final float[] buf = state.buffer(MOMENTUM_BUFFER, n, 0f);
        // On the first step b = 0 * 0 + 1 * d = d exactly: the buffer starts as the gradient.
        final float mu = first ? 0f : (float) momentum, keep = first ? 1f : (float) (1 - dampening);
        final float nest = (float) momentum;
        // One method per loop, so that each is compiled (and vectorised) with its own profile.
        if (nesterov) {
            if (n < PARALLEL_MIN_ELEMENTS) nesterov(p, g, buf, sign, wd, negLr, mu, keep, nest, 0, n);
            else forRange(n, (from, to) -> nesterov(p, g, buf, sign, wd, negLr, mu, keep, nest, from, to));
        } else {
            if (n < PARALLEL_MIN_ELEMENTS) heavyBall(p, g, buf, sign, wd, negLr, mu, keep, 0, n);
            else forRange(n, (from, to) -> heavyBall(p, g, buf, sign, wd, negLr, mu, keep, from, to));
        }
    }

    private static void descend(float[] p, float[] g, float sign, float wd, float negLr, int from, int to) {
        for (int i = from; i < to; i++) {
            float d = sign * g[i] + wd * p[i];
            p[i] += negLr * d;
        }
    }

    private static void heavyBall(float[] p, float[] g, float[] buf, float sign, float wd, float negLr, float mu, float keep,
                                  int from, int to) {
        for (int i = from; i < to; i++) {
            float d = sign * g[i] + wd * p[i];
            float b = mu * buf[i] + keep * d;
            buf[i] = b;
            p[i] += negLr * b;
        }
    }

    private static void nesterov(float[] p, float[] g, float[] buf, float sign, float wd, float negLr, float mu, float keep,
                                 float nest, int from, int to) {
        for (int i = from; i < to; i++) {
            float d = sign * g[i] + wd * p[i];
            float b = mu * buf[i] + keep * d;
            buf[i] = b;
            p[i] += negLr * (d + nest * b);
        }
    }

    @Override
    protected String describe() {
        return "momentum=" + momentum + ", dampening=" + dampening + ", nesterov=" + nesterov + (maximize ? ", maximize" : "");
    }
}
