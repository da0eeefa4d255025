package dev.depth.optim;

/**
 * The update loop shared by {@link Adam} and {@link AdamW}: one pass over a parameter that updates
 * both moments and the parameter. Scalars are computed in double and rounded to float once per
 * step, element arithmetic is float32, in the order PyTorch's single-tensor implementation uses:
 * <pre>
 *   m = β1 m + (1 - β1) g
 *   v = β2 v + (1 - β2) g²
 *   v̂max = max(v̂max, v)                       (amsgrad)
 *   denom = sqrt(v or v̂max) / sqrt(1 - β2^t) + ε
 *   θ = θ - (γ / (1 - β1^t)) · m / denom
 * </pre>
 */
final class AdamKernel {
    private AdamKernel() {}

    static final String[] BUFFERS = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    static final int EXP_AVG = 0, EXP_AVG_SQ = 1, MAX_EXP_AVG_SQ = 2;

    /**
     * One Adam step on a parameter.
     *
     * @param l2Decay      λ added to the gradient as λθ (Adam), 0 for none
     * @param decoupled    λ applied as θ ← θ(1 - γλ) before the moments (AdamW), 0 for none
     */
    static void step(Optimizer.ParamState state, float[] p, int po, float[] g, int go, int n, double lr, double beta1,
                     double beta2, double eps, double l2Decay, double decoupled, boolean amsgrad, boolean maximize) {
        long t = state.step();
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        final float negStepSize = (float) -(lr / biasCorrection1);
        final float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        final float b1 = (float) beta1, omb1 = (float) (1 - beta1);
        final float b2 = (float) beta2, omb2 = (float) (1 - beta2);
        final float e = (float) eps;
        final float sign = maximize ? -1f : 1f;
        final float wd = (float) l2Decay;
        final float decay = (float) (1 - lr * decoupled);
        final float[] m = state.buffer(EXP_AVG, n, 0f);
        final float[] v = state.buffer(EXP_AVG_SQ, n, 0f);
        final float[] vmax = amsgrad ? state.buffer(MAX_EXP_AVG_SQ, n, 0f) : null;
        if (n < Optimizer.PARALLEL_MIN_ELEMENTS) {
            range(p, po, g, go, m, v, vmax, sign, wd, decay, b1, omb1, b2, omb2, bc2Sqrt, e, negStepSize, 0, n);
        } else {
            Optimizer.forRange(n, (from, to) -> range(p, po, g, go, m, v, vmax, sign, wd, decay, b1, omb1, b2, omb2, bc2Sqrt, e,
                    negStepSize, from, to));
        }
    }

    private static void range(float[] p, int po, float[] g, int go, float[] m, float[] v, float[] vmax, float sign, float wd,
                              float decay, float b1, float omb1, float b2, float omb2, float bc2Sqrt, float eps,
                              float negStepSize, int from, int to) {
        if (vmax != null) {
            for (int i = from; i < to; i++) {
                float pi = p[po + i] * decay;
                float gi = sign * g[go + i] + wd * pi;
                float mi = b1 * m[i] + omb1 * gi;
                float vi = b2 * v[i] + omb2 * gi * gi;
                float vm = Math.max(vmax[i], vi);
                m[i] = mi;
                v[i] = vi;
                vmax[i] = vm;
                float denom = (float) Math.sqrt(vm) / bc2Sqrt + eps;
                p[po + i] = pi + negStepSize * (mi / denom);
            }
        } else {
            for (int i = from; i < to; i++) {
                float pi = p[po + i] * decay;
                float gi = sign * g[go + i] + wd * pi;
                float mi = b1 * m[i] + omb1 * gi;
                float vi = b2 * v[i] + omb2 * gi * gi;
                m[i] = mi;
                v[i] = vi;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                p[po + i] = pi + negStepSize * (mi / denom);
            }
        }
    }
}
