package dev.depth.autograd;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

import java.util.function.Function;

/**
 * Compares the gradients that autograd computes with finite differences.
 *
 * <p>Method: the output y = f(x...) is reduced to a scalar L = sum(w * y) with fixed random
 * weights w, so every output element contributes with its own weight. For every element of every
 * input that requires a gradient, dL/dx is estimated with the fourth-order central difference
 * {@code (8 (L(x+h) - L(x-h)) - (L(x+2h) - L(x-2h))) / (12 h)}, whose truncation error is O(h^4):
 * with float32 storage and h = 1e-2 this is as tight as a float64 second-order check with
 * h = 1e-6, while L itself is accumulated in double. An element fails when
 * {@code |analytic - numeric| > atol + rtol * |numeric|}.
 *
 * <p>Inputs must sit away from kinks (relu at 0, ties of max) by more than 2h.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Tolerances and step; the defaults suit float32 ops with O(1) values. */
    public record Options(double eps, double atol, double rtol, long seed) {
        public static final Options DEFAULT = new Options(1e-2, 2e-3, 2e-2, 1234L);
    }

    /** The worst element found, and whether all passed. */
    public record Result(boolean passed, int input, int element, double analytic, double numeric, double error, String message) {}

    /** Checks with the default options and throws {@link AssertionError} with the details on failure. */
    public static void assertGradients(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result r = check(f, Options.DEFAULT, inputs);
        if (!r.passed()) throw new AssertionError("gradCheck(" + name + "): " + r.message());
    }

    public static Result check(Function<Tensor[], Tensor> f, Options opt, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in.requiresGrad() && !in.isContiguous())
                throw new IllegalArgumentException("gradCheck: inputs must be contiguous leaf tensors");
            in.setGrad(null);
        }
        Tensor y = f.apply(inputs);
        Generator gen = new Generator(opt.seed());
        Tensor w = Tensor.uniform(gen, 0.5f, 1.5f, y.shape());
        float[] wv = w.toFloatArray();
        y.backward(w);
        Result worst = new Result(true, -1, -1, 0, 0, 0, "all gradients match");
        double worstRatio = -1;
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (!in.requiresGrad()) continue;
            float[] analytic = in.grad() == null ? new float[in.numel()] : in.grad().toFloatArray();
            float[] x = in.storage();
            int off = in.offset();
            for (int i = 0; i < in.numel(); i++) {
                float orig = x[off + i];
                double h = opt.eps();
                double lp1 = loss(f, inputs, wv, x, off + i, (float) (orig + h));
                double lm1 = loss(f, inputs, wv, x, off + i, (float) (orig - h));
                double lp2 = loss(f, inputs, wv, x, off + i, (float) (orig + 2 * h));
                double lm2 = loss(f, inputs, wv, x, off + i, (float) (orig - 2 * h));
                x[off + i] = orig;
                double numeric = (8 * (lp1 - lm1) - (lp2 - lm2)) / (12 * h);
                double err = Math.abs(analytic[i] - numeric);
                double bound = opt.atol() + opt.rtol() * Math.abs(numeric);
                double ratio = err / bound;
                if (Double.isNaN(err)) ratio = Double.POSITIVE_INFINITY;
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    boolean ok = ratio <= 1;
                    worst = new Result(ok, k, i, analytic[i], numeric, err, String.format(
                            "input %d element %d: analytic %.6g, numeric %.6g, |diff| %.3g %s tolerance %.3g",
                            k, i, analytic[i], numeric, err, ok ? "within" : "exceeds", bound));
                }
            }
        }
        return worst;
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] w, float[] x, int pos, float value) {
        x[pos] = value;
        try (var scope = Autograd.noGrad()) {
            float[] y = f.apply(inputs).toFloatArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += (double) w[i] * y[i];
            return s;
        }
    }
}
