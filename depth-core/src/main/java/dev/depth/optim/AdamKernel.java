package dev.depth.optim;

import dev.depth.kernel.Parallel;

/**
 * The update loop shared by {@link Adam} and {@link AdamW}: one pass over a parameter that updates
 * both moments and the parameter. Scalars are computed in double and rounded to float once per
 * step, element arithmetic is float32. PyTorch's single-tensor implementation computes
 * <pre>
 *   m = β1 m + (1 - β1) g
 *   v = β2 v + (1 - β2) g²
 *   v̂max = max(v̂max, v)                       (amsgrad)
 *   denom = sqrt(v or v̂max) / sqrt(1 - β2^t) + ε
 *   θ = θ - (γ / (1 - β1^t)) · m / denom
 * </pre>
 * and the moments here are computed in that order; the update is the same quantity with c =
 * sqrt(1 - β2^t) taken out of the denominator, θ = θ - (γ c / (1 - β1^t)) · m / (sqrt(v) + ε c),
 * with both scalars computed once per step. That saves a division per element, and the loop is
 * bound by its divisions and square roots more than by memory: on one Zen 5 core, 0.17 ns per
 * element on 16,384 elements became 0.126, and 0.19 on W2's 535,818 became 0.18 (2026-11-27,
 * bench/README.md). The update differs from PyTorch's order by a rounding or two (after one step,
 * 1 parameter in 16,384 differed).
 *
 * <p>Subnormal moments. Where a gradient stays zero (or below about 1e-19, whose square
 * underflows), v decays into the subnormal range and stays there for thousands of steps (β2 =
 * 0.999 needs ~16,000 steps to cross it), and m passes through it (~150 steps for β1 = 0.9); the JVM cannot set the CPU's flush-to-zero mode, and
 * arithmetic on subnormals is slow on many CPUs. So when ε &gt;= {@link #FLUSH_MIN_EPS} the loop
 * rounds m and v through {@code (x + 2^-100) - 2^-100}, which is branch-free (a conditional select stops
 * the JIT from vectorising the loop: 7x slower when we tried it). That sets every |x| below 2^-124
 * (about 4.7e-38, so every subnormal) to 0, leaves every |x| from 2^-75 (about 2.6e-23) up unchanged,
 * and moves the values between by at most 2^-124 or one rounding (relative 1.2e-7). So sqrt(v)
 * moves by at most 3e-19, against ε c &gt;= 3e-12 in the same denominator (ε &gt;= 1e-10, and c is at least
 * sqrt(1 - β2), 0.032 for the default β2): a relative change below 1e-7, one float32 rounding
 * (below 1e-9 for the default ε = 1e-8). A change of m by at most 2^-124 moves the
 * update by at most γ 4.7e-38 / ε (below γ 5e-28), and by at most one rounding above that. With a
 * smaller ε, m and v are left as PyTorch leaves them.
 *
 * <p>Measured (OptimizerTiming, JDK 17, AMD EPYC with AVX-512, one thread, 60k and 1M elements):
 * without the flush a step was 4-8% slower with 13% of v subnormal and 35-60% slower with all of
 * it; with the flush the step time did not depend on the subnormal fraction, and the flush itself
 * cost nothing measurable (the loop is bound by the division and by memory). CPUs that take a
 * microcode assist on subnormal operands (many Intel cores) lose far more without it.
 */
final class AdamKernel {
    private AdamKernel() {}

    static final String[] BUFFERS = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    static final int EXP_AVG = 0, EXP_AVG_SQ = 1, MAX_EXP_AVG_SQ = 2;

    /** The smallest ε for which subnormal second moments are flushed to zero (see the class notes). */
    static final double FLUSH_MIN_EPS = 1e-10;
    /** Adding then subtracting 2^-100 rounds every |x| below 2^-124 to 0. */
    static final float FLUSH = 0x1p-100f;

    /**
     * One Adam step on a parameter.
     *
     * @param l2Decay      λ added to the gradient as λθ (Adam), 0 for none
     * @param decoupled    λ applied as θ ← θ(1 - γλ) before the moments (AdamW), 0 for none
     */
    static void step(Optimizer.ParamState state, float[] p, float[] g, float[] work, int n, double lr, double beta1,
                     double beta2, double eps, double l2Decay, double decoupled, boolean amsgrad, boolean maximize) {
        long t = state.step();
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        final double bc2Sqrt = Math.sqrt(biasCorrection2);
        final float negStepSize = (float) (-(lr / biasCorrection1) * bc2Sqrt); // γ c / (1 - β1^t), c = sqrt(1 - β2^t)
        final float b1 = (float) beta1, omb1 = (float) (1 - beta1);
        final float b2 = (float) beta2, omb2 = (float) (1 - beta2);
        final float e = (float) (eps * bc2Sqrt); // ε c
        final float flush = eps >= FLUSH_MIN_EPS ? FLUSH : 0f; // (x + 0) - 0 == x: no flush
        final float sign = maximize ? -1f : 1f;
        final float wd = (float) l2Decay;
        final float decay = (float) (1 - lr * decoupled);
        final float[] m = state.buffer(EXP_AVG, n, 0f);
        final float[] v = state.buffer(EXP_AVG_SQ, n, 0f);
        final float[] vmax = amsgrad ? state.buffer(MAX_EXP_AVG_SQ, n, 0f) : null;
        // The main loops are kept small (no sign, decay or weight-decay terms): C2 vectorises a
        // loop only if its body fits LoopUnrollLimit, and the full body did not (12x slower).
        // Maximize and either weight decay go through a pre-pass into a workspace instead.
        // AdamW's usual case (decoupled decay alone) fits in one loop, saving the pre-pass's traffic.
        final boolean fusedDecay = vmax == null && !maximize && wd == 0f && decay != 1f;
        final boolean prepare = !fusedDecay && (maximize || wd != 0f || decay != 1f);
        final float[] ge = prepare ? work : g;
        Parallel.RangeBody body = (from, to) -> {
            if (prepare) Optimizer.prepare(p, g, ge, sign, wd, decay, from, to);
            if (fusedDecay) adamDecoupled(p, g, m, v, decay, b1, omb1, b2, omb2, flush, e, negStepSize, from, to);
            else if (vmax == null) adam(p, ge, m, v, b1, omb1, b2, omb2, flush, e, negStepSize, from, to);
            else amsgrad(p, ge, m, v, vmax, b1, omb1, b2, omb2, flush, e, negStepSize, from, to);
        };
        if (n < Optimizer.PARALLEL_MIN_ELEMENTS) body.run(0, n);
        else Optimizer.forRange(n, body);
    }

    // One method per loop: a method holding both loops was compiled with the profile of the first
    // one used, and after the deoptimisation the other loop ran unvectorised.
    private static void adam(float[] p, float[] g, float[] m, float[] v, float b1, float omb1, float b2, float omb2, float flush,
                             float epsC, float negStepSize, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = (b1 * m[i] + omb1 * gi + flush) - flush;
            float vi = (b2 * v[i] + omb2 * gi * gi + flush) - flush;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) + epsC;
            p[i] += negStepSize * (mi / denom);
        }
    }

    private static void adamDecoupled(float[] p, float[] g, float[] m, float[] v, float decay, float b1, float omb1, float b2,
                                      float omb2, float flush, float epsC, float negStepSize, int from, int to) {
        for (int i = from; i < to; i++) {
            float pi = p[i] * decay;
            float gi = g[i];
            float mi = (b1 * m[i] + omb1 * gi + flush) - flush;
            float vi = (b2 * v[i] + omb2 * gi * gi + flush) - flush;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) + epsC;
            p[i] = pi + negStepSize * (mi / denom);
        }
    }

    private static void amsgrad(float[] p, float[] g, float[] m, float[] v, float[] vmax, float b1, float omb1, float b2, float omb2,
                                float flush, float epsC, float negStepSize, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = (b1 * m[i] + omb1 * gi + flush) - flush;
            float vi = (b2 * v[i] + omb2 * gi * gi + flush) - flush;
            float vm = Math.max(vmax[i], vi);
            m[i] = mi;
            v[i] = vi;
            vmax[i] = vm;
            float denom = (float) Math.sqrt(vm) + epsC;
            p[i] += negStepSize * (mi / denom);
        }
    }
}
