package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * RMSprop: divides the gradient by a running root mean square of recent gradients, optionally
 * centred (by the running mean, so dividing by an estimate of the standard deviation) and with
 * momentum; PyTorch's {@code torch.optim.RMSprop}.
 *
 * <p>With learning rate γ, smoothing constant α, ε, weight decay λ, momentum μ, for each
 * parameter θ at its step t = 1, 2, ... (v_0 = b_0 = g^ave_0 = 0):
 * <pre>
 *   g_t = -∇f(θ_{t-1})  if maximize,  else ∇f(θ_{t-1})
 *   if λ ≠ 0:  g_t = g_t + λ θ_{t-1}
 *   v_t = α v_{t-1} + (1 - α) g_t²
 *   ṽ_t = v_t
 *   if centered:
 *       g^ave_t = α g^ave_{t-1} + (1 - α) g_t
 *       ṽ_t = ṽ_t - (g^ave_t)²
 *   if μ &gt; 0:
 *       b_t = μ b_{t-1} + g_t / (sqrt(ṽ_t) + ε)
 *       θ_t = θ_{t-1} - γ b_t
 *   else:
 *       θ_t = θ_{t-1} - γ g_t / (sqrt(ṽ_t) + ε)
 * </pre>
 * ε is added after the square root (TensorFlow adds it inside).
 *
 * <p>Defaults: lr {@link #DEFAULT_LR}, alpha {@link #DEFAULT_ALPHA}, eps {@link #DEFAULT_EPS},
 * momentum {@link #DEFAULT_MOMENTUM}, weight decay {@link #DEFAULT_WEIGHT_DECAY}, not centred.
 * <pre>{@code
 * var opt = new RMSprop(model.parameters(), 1e-3).alpha(0.95).momentum(0.9).centered(true);
 * }</pre>
 *
 * <p>State per parameter: {@code "square_avg"} (v), {@code "grad_avg"} (centred) and
 * {@code "momentum_buffer"} (μ &gt; 0).
 *
 * <p>References: Hinton, Neural Networks for Machine Learning, lecture 6e (2012); Graves,
 * "Generating Sequences With Recurrent Neural Networks" (2013), the centred form.
 */
public final class RMSprop extends Optimizer {
    public static final double DEFAULT_LR = 1e-2;
    public static final double DEFAULT_ALPHA = 0.99;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_MOMENTUM = 0.0;
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;

    private static final String[] BUFFERS = {"square_avg", "grad_avg", "momentum_buffer"};
    private static final int SQUARE_AVG = 0, GRAD_AVG = 1, MOMENTUM_BUFFER = 2;

    private double alpha = DEFAULT_ALPHA;
    private double eps = DEFAULT_EPS;
    private double momentum = DEFAULT_MOMENTUM;
    private boolean centered;
    private boolean maximize;

    /** RMSprop over {@code params} with the default learning rate {@link #DEFAULT_LR}. */
    public RMSprop(List<Tensor> params) {
        this(params, DEFAULT_LR);
    }

    /**
     * RMSprop over {@code params} with learning rate {@code lr}.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or not finite, or {@code params}
     *                                  is empty
     */
    public RMSprop(List<Tensor> params, double lr) {
        super("RMSprop", params, lr, DEFAULT_WEIGHT_DECAY);
    }

    /** Sets the smoothing constant α, in [0, 1]; returns this. */
    public RMSprop alpha(double alpha) {
        this.alpha = requireClosedUnitInterval("alpha", alpha);
        return this;
    }

    /** Sets ε, added to the denominator (finite, {@code >= 0}); returns this. */
    public RMSprop eps(double eps) {
        this.eps = requireNonNegative("eps", eps);
        return this;
    }

    /** Sets the momentum factor μ (finite, {@code >= 0}); returns this. */
    public RMSprop momentum(double momentum) {
        this.momentum = requireNonNegative("momentum", momentum);
        return this;
    }

    /** Normalises by the running variance instead of the running second moment; returns this. */
    public RMSprop centered(boolean centered) {
        this.centered = centered;
        return this;
    }

    /** Sets the L2 weight decay λ of every group (and of groups added later); returns this. */
    public RMSprop weightDecay(double weightDecay) {
        setWeightDecayAll(weightDecay);
        return this;
    }

    /** Ascends the objective instead of descending it; returns this. */
    public RMSprop maximize(boolean maximize) {
        this.maximize = maximize;
        return this;
    }

    public double alpha() {
        return alpha;
    }

    public double eps() {
        return eps;
    }

    public double momentum() {
        return momentum;
    }

    public boolean centered() {
        return centered;
    }

    public boolean maximize() {
        return maximize;
    }

    @Override
    public RMSprop withGradClipNorm(double maxNorm) {
        super.withGradClipNorm(maxNorm);
        return this;
    }

    @Override
    public RMSprop withGradClipNorm(double maxNorm, double normType) {
        super.withGradClipNorm(maxNorm, normType);
        return this;
    }

    @Override
    public RMSprop withGradClipValue(double clipValue) {
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
        final float negLr = (float) -group.lr();
        final float a = (float) alpha, oma = (float) (1 - alpha), e = (float) eps;
        final float[] sq = state.buffer(SQUARE_AVG, n, 0f);
        final float[] avg = centered ? state.buffer(GRAD_AVG, n, 0f) : null;
        final float[] buf = momentum > 0 ? state.buffer(MOMENTUM_BUFFER, n, 0f) : null;
        final float mu = (float) momentum;
        // Maximize and weight decay go through a pre-pass, so that the main loops stay small enough
        // for the JIT to vectorise; one method per loop, so that each is compiled with its own profile.
        if (maximize || wd != 0f) {
            float[] ge = workspace(n);
            if (n < PARALLEL_MIN_ELEMENTS) Optimizer.prepare(p, g, ge, sign, wd, 1f, 0, n);
            else forRange(n, (from, to) -> Optimizer.prepare(p, g, ge, sign, wd, 1f, from, to));
            dispatch(p, ge, sq, avg, buf, a, oma, e, mu, negLr, n);
        } else {
            dispatch(p, g, sq, avg, buf, a, oma, e, mu, negLr, n);
        }
    }

    private static void dispatch(float[] p, float[] g, float[] sq, float[] avg, float[] buf, float a, float oma, float e, float mu,
                                 float negLr, int n) {
        if (avg == null && buf == null) {
            if (n < PARALLEL_MIN_ELEMENTS) plain(p, g, sq, a, oma, e, negLr, 0, n);
            else forRange(n, (from, to) -> plain(p, g, sq, a, oma, e, negLr, from, to));
        } else if (buf == null) {
            if (n < PARALLEL_MIN_ELEMENTS) centered(p, g, sq, avg, a, oma, e, negLr, 0, n);
            else forRange(n, (from, to) -> centered(p, g, sq, avg, a, oma, e, negLr, from, to));
        } else if (avg == null) {
            if (n < PARALLEL_MIN_ELEMENTS) momentum(p, g, sq, buf, a, oma, e, mu, negLr, 0, n);
            else forRange(n, (from, to) -> momentum(p, g, sq, buf, a, oma, e, mu, negLr, from, to));
        } else {
            if (n < PARALLEL_MIN_ELEMENTS) centeredMomentum(p, g, sq, avg, buf, a, oma, e, mu, negLr, 0, n);
            else forRange(n, (from, to) -> centeredMomentum(p, g, sq, avg, buf, a, oma, e, mu, negLr, from, to));
        }
    }

    private static void plain(float[] p, float[] g, float[] sq, float a, float oma, float eps, float negLr,
                              int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float v = a * sq[i] + oma * gi * gi;
            sq[i] = v;
            p[i] += negLr * (gi / ((float) Math.sqrt(v) + eps));
        }
    }

    private static void centered(float[] p, float[] g, float[] sq, float[] avg, float a, float oma, float eps,
                                 float negLr, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float v = a * sq[i] + oma * gi * gi;
            float ga = a * avg[i] + oma * gi;
            sq[i] = v;
            avg[i] = ga;
            p[i] += negLr * (gi / ((float) Math.sqrt(v - ga * ga) + eps));
        }
    }

    private static void momentum(float[] p, float[] g, float[] sq, float[] buf, float a, float oma, float eps,
                                 float mu, float negLr, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float v = a * sq[i] + oma * gi * gi;
            sq[i] = v;
            float b = mu * buf[i] + gi / ((float) Math.sqrt(v) + eps);
            buf[i] = b;
            p[i] += negLr * b;
        }
    }

    private static void centeredMomentum(float[] p, float[] g, float[] sq, float[] avg, float[] buf, float a,
                                         float oma, float eps, float mu, float negLr, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float v = a * sq[i] + oma * gi * gi;
            float ga = a * avg[i] + oma * gi;
            sq[i] = v;
            avg[i] = ga;
            float b = mu * buf[i] + gi / ((float) Math.sqrt(v - ga * ga) + eps);
            buf[i] = b;
            p[i] += negLr * b;
        }
    }

    @Override
    protected String describe() {
        return "alpha=" + alpha + ", eps=" + eps + ", momentum=" + momentum + (centered ? ", centered" : "") + (maximize ? ", maximize" : "");
    }
}
