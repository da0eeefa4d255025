package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * Gradient clipping: by the global norm of all gradients together, or element by element; PyTorch's
 * {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. Gradients are changed in
 * place; parameters whose gradient is null are skipped.
 *
 * <p>By norm, with p the norm type (p = ∞ gives the largest absolute value):
 * <pre>
 *   total = ( Σ_params ‖g‖_p^p )^(1/p)          (max over params of max |g| for p = ∞)
 *   c = maxNorm / (total + 1e-6)
 *   if c &lt; 1:  g = c g   for every gradient
 * </pre>
 * The 1e-6 keeps c finite when every gradient is zero, as in PyTorch; clipping therefore happens
 * when total &gt; maxNorm - 1e-6. Norms are accumulated in double.
 *
 * <p>To clip inside {@link Optimizer#step()}, attach it instead of calling it:
 * {@code new SGD(params, 0.1).withGradClipNorm(1.0)} (see {@link Optimizer#withGradClipNorm}).
 *
 * <p>Reference: Pascanu, Mikolov &amp; Bengio, "On the difficulty of training recurrent neural
 * networks" (ICML 2013).
 */
public final class GradClip {
    /** Added to the total norm before dividing, as PyTorch does. */
    public static final double NORM_EPS = 1e-6;

    private GradClip() {}

    /** Clips by the global L2 norm; returns the norm before clipping. See the class notes. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0, false);
    }

    /**
     * Clips by the global {@code normType}-norm ({@code Double.POSITIVE_INFINITY} for the max-norm);
     * returns the norm before clipping, which may be infinite or NaN (the gradients then become NaN,
     * as in PyTorch).
     *
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN, or {@code normType}
     *                                  is not positive
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        return clipGradNorm(params, maxNorm, normType, false);
    }

    /**
     * Like {@link #clipGradNorm(List, double, double)}; with {@code errorIfNonfinite}, a NaN or
     * infinite total norm throws instead, leaving the gradients unchanged.
     *
     * @throws IllegalStateException if {@code errorIfNonfinite} and the total norm is not finite
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        checkNormArgs(maxNorm, normType);
        double total = totalNorm(params, normType);
        if (errorIfNonfinite && !Double.isFinite(total))
            throw new IllegalStateException("clipGradNorm: the total " + normName(normType) + " norm of the gradients is " + total
                    + "; a gradient holds NaN or infinity");
        double coef = maxNorm / (total + NORM_EPS);
        if (coef < 1 || Double.isNaN(coef)) {
            float c = (float) coef;
            for (Tensor p : params) {
                Tensor g = p.peekGrad();
                if (g == null) continue;
                if (!g.isContiguous()) {
                    g = Tensor.wrap(g.toFloatArray(), g.shape());
                    p.storeGrad(g);
                }
                float[] d = g.storage();
                for (int i = g.offset(), end = i + g.numel(); i < end; i++) d[i] *= c;
            }
        }
        return total;
    }

    /**
     * The global {@code normType}-norm of the gradients, without clipping: as if all gradients were
     * one vector. Zero if no parameter has a gradient.
     */
    public static double totalNorm(List<Tensor> params, double normType) {
        if (!(normType > 0)) throw new IllegalArgumentException("clipGradNorm: normType must be > 0, got " + normType);
        boolean inf = normType == Double.POSITIVE_INFINITY, two = normType == 2.0;
        double acc = 0;
        for (Tensor p : params) {
            Tensor g = p.peekGrad();
            if (g == null) continue;
            float[] d = g.isContiguous() ? g.storage() : g.toFloatArray();
            int from = g.isContiguous() ? g.offset() : 0, to = from + g.numel();
            if (inf) {
                for (int i = from; i < to; i++) {
                    double a = Math.abs(d[i]);
                    if (a > acc || Double.isNaN(a)) acc = a; // once NaN, no comparison replaces it
                }
            } else if (two) {
                for (int i = from; i < to; i++) acc += (double) d[i] * d[i];
            } else {
                for (int i = from; i < to; i++) acc += Math.pow(Math.abs(d[i]), normType);
            }
        }
        if (inf) return acc;
        return two ? Math.sqrt(acc) : Math.pow(acc, 1 / normType);
    }

    /**
     * Clamps every gradient element to {@code [-clipValue, clipValue]}; NaN elements stay NaN.
     *
     * @throws IllegalArgumentException if {@code clipValue} is negative or NaN
     */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        checkClipValue(clipValue);
        float hi = (float) clipValue, lo = -hi;
        for (Tensor p : params) {
            Tensor g = p.peekGrad();
            if (g == null) continue;
            if (!g.isContiguous()) {
                g = Tensor.wrap(g.toFloatArray(), g.shape());
                p.storeGrad(g);
            }
            float[] d = g.storage();
            for (int i = g.offset(), end = i + g.numel(); i < end; i++) {
                float x = d[i];
                d[i] = x > hi ? hi : (x < lo ? lo : x);
            }
        }
    }

    static void checkNormArgs(double maxNorm, double normType) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        if (!(normType > 0)) throw new IllegalArgumentException("clipGradNorm: normType must be > 0, got " + normType);
    }

    static void checkClipValue(double clipValue) {
        if (!(clipValue >= 0)) throw new IllegalArgumentException("clipGradValue: clipValue must be >= 0, got " + clipValue);
    }

    private static String normName(double normType) {
        return normType == Double.POSITIVE_INFINITY ? "inf" : "L" + (normType == Math.rint(normType) ? String.valueOf((long) normType) : String.valueOf(normType));
    }
}
