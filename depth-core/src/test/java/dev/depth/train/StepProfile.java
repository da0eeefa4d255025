package dev.depth.train;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.Parallel;
import dev.depth.nn.F;
import dev.depth.nn.Models;
import dev.depth.nn.Module;
import dev.depth.optim.Adam;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Hand-run timing of one training step of the bench models, split into its phases (not a unit
 * test). After {@code mvn -q -pl depth-core test-compile}, from the repository root:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn1g \
 *     -cp depth-core/target/classes:depth-core/target/test-classes dev.depth.train.StepProfile [mlp|cnn|infer]...
 * </pre>
 * Prints the median time of forward, loss, backward and optimiser step over many steps on random
 * data (the batch sizes of bench workloads W2, W3 and W6).
 */
public final class StepProfile {
    private StepProfile() {}

    public static void main(String[] args) {
        var which = java.util.List.of(args.length == 0 ? new String[] {"mlp", "cnn", "infer"} : args);
        for (String w : which) {
            switch (w) {
                case "mlp" -> train("mlp", 128, 1500);
                case "cnn" -> train("cnn", 64, 300);
                case "infer" -> { infer(1, 20000); infer(256, 2000); }
                default -> throw new IllegalArgumentException(w);
            }
        }
    }

    static void train(String name, int batch, int steps) {
        Module model = Models.create(name);
        var opt = new Adam(model.parameters(), 1e-3);
        var gen = new Generator(1);
        Tensor x = Tensor.rand(gen, batch, 1, 28, 28);
        float[] ys = new float[batch];
        for (int i = 0; i < batch; i++) ys[i] = i % 10;
        Tensor y = Tensor.of(ys);
        long[][] t = new long[4][steps];
        for (int s = 0; s < steps; s++) {
            long a = System.nanoTime();
            Tensor out = model.forward(x);
            long b = System.nanoTime();
            Tensor loss = F.crossEntropy(out, y);
            long c = System.nanoTime();
            opt.zeroGrad();
            loss.backward();
            long d = System.nanoTime();
            opt.step();
            long e = System.nanoTime();
            t[0][s] = b - a; t[1][s] = c - b; t[2][s] = d - c; t[3][s] = e - d;
        }
        String[] names = {"forward", "loss", "backward", "step"};
        StringBuilder sb = new StringBuilder(String.format("%s batch %d (%d threads):", name, batch, Parallel.threads()));
        double total = 0;
        long[] sum = new long[steps];
        for (int s = 0; s < steps; s++) sum[s] = t[0][s] + t[1][s] + t[2][s] + t[3][s];
        for (int k = 0; k < 4; k++) {
            double med = median(t[k], steps / 3);
            total += med;
            sb.append(String.format("  %s %.3f ms", names[k], med / 1e6));
        }
        sb.append(String.format("  total %.3f ms = %,.0f samples/s", total / 1e6, batch / (total / 1e9)));
        double p10 = quantile(sum, steps / 3, 0.1);
        sb.append(String.format(" (10th percentile step %.3f ms = %,.0f samples/s)", p10 / 1e6, batch / (p10 / 1e9)));
        System.out.println(sb);
    }

    static void infer(int batch, int reps) {
        Module model = Models.mlp();
        model.eval();
        Tensor x = Tensor.rand(new Generator(2), batch, 784);
        long[] t = new long[reps];
        try (var scope = Autograd.noGrad()) {
            for (int r = 0; r < reps; r++) {
                long a = System.nanoTime();
                model.forward(x);
                t[r] = System.nanoTime() - a;
            }
        }
        double med = median(t, reps / 3), p10 = quantile(t, reps / 3, 0.1);
        System.out.printf("mlp inference batch %d: median %.1f us = %,.0f samples/s (10th percentile %.1f us)%n",
                batch, med / 1e3, batch / (med / 1e9), p10 / 1e3);
    }

    /** The median of the samples after the first {@code skip} (warm-up). */
    static double median(long[] v, int skip) {
        return quantile(v, skip, 0.5);
    }

    /** The q-quantile of the samples after the first {@code skip} (a low one resists other load on the machine). */
    static double quantile(long[] v, int skip, double q) {
        long[] s = java.util.Arrays.copyOfRange(v, skip, v.length);
        java.util.Arrays.sort(s);
        return s[(int) (q * (s.length - 1))];
    }
}
