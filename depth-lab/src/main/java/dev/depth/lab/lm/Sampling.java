package dev.depth.lab.lm;

import dev.depth.tensor.Generator;

import java.util.Arrays;

/**
 * Draws the next token from a vector of logits: temperature scaling, then top-k, then nucleus
 * (top-p) filtering, then a draw from the renormalised distribution. Temperature 0 is greedy.
 *
 * @param temperature divides the logits; 0 picks the arg-max
 * @param topK keep the k most likely tokens (0: all)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1: all).
 *             Holtzman et al., 2020.
 */
public record Sampling(double temperature, int topK, double topP) {
    /** Plain sampling from the model's distribution. */
    public static final Sampling DEFAULT = new Sampling(1.0, 0, 1.0);

    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }

    /** The index of the drawn token. */
    public int sample(float[] logits, Generator gen) {
        int v = logits.length;
        if (temperature == 0) {
            int best = 0;
            for (int i = 1; i < v; i++) if (logits[i] > logits[best]) best = i;
            return best;
        }
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]) != 0 ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, v) : v;
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += p[i];
        }
        if (topP < 1) {
            double acc = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                acc += p[i] / sum;
                if (acc >= topP) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            sum = 0;
            for (int i = 0; i < keep; i++) sum += p[i];
        }
        double r = gen.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            r -= p[i];
            if (r < 0) return order[i];
        }
        return order[keep - 1];
    }
}
