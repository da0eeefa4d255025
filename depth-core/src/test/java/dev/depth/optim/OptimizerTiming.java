package dev.depth.optim;

import dev.depth.kernel.Parallel;
import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A micro-timing of one optimiser step (not a test; JMH benchmarks live in depth-bench). Run with
 * {@code java -cp target/classes:target/test-classes dev.depth.optim.OptimizerTiming [elements] [threads]}.
 *
 * <p>It prints the time per step for each optimiser, and for Adam the time when a fraction of the
 * second-moment state is subnormal (the case the denormal note in {@link Adam} is about).
 */
public final class OptimizerTiming {
    private OptimizerTiming() {}

    private static final int WARMUP = 300;

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20;
        if (args.length > 1) Parallel.setThreads(Integer.parseInt(args[1]));
        System.out.printf("elements %d, threads %d, %s%n", n, Parallel.threads(), System.getProperty("java.vm.version"));
        Map<String, Function<List<Tensor>, Optimizer>> kinds = new java.util.LinkedHashMap<>();
        kinds.put("SGD", ps -> new SGD(ps, 0.01));
        kinds.put("SGD momentum nesterov wd", ps -> new SGD(ps, 0.01).momentum(0.9).nesterov(true).weightDecay(1e-4));
        kinds.put("Adam", ps -> new Adam(ps, 1e-3));
        kinds.put("Adam amsgrad", ps -> new Adam(ps, 1e-3).amsgrad(true));
        kinds.put("AdamW", ps -> new AdamW(ps, 1e-3));
        kinds.put("RMSprop", ps -> new RMSprop(ps, 1e-3));
        kinds.put("RMSprop centered momentum", ps -> new RMSprop(ps, 1e-3).centered(true).momentum(0.9));
        kinds.put("Adagrad", ps -> new Adagrad(ps, 1e-2));
        for (var e : kinds.entrySet()) {
            List<Tensor> ps = params(n);
            Optimizer opt = e.getValue().apply(ps);
            double us = time(opt, ps, 0, 0);
            System.out.printf("%-28s %8.1f us/step  (%.2f ns/element)%n", e.getKey(), us, us * 1e3 / n);
        }
        for (double fraction : new double[] {0.0, 0.13, 0.5, 1.0}) {
            List<Tensor> ps = params(n);
            Adam adam = new Adam(ps, 1e-3);
            System.out.printf("Adam, %3.0f%% of v subnormal   %8.1f us/step%n", fraction * 100, time(adam, ps, fraction, 1e-41f));
        }
    }

    private static List<Tensor> params(int n) {
        // ~ a small MLP: a few large matrices and a few biases
        List<Tensor> ps = new ArrayList<>();
        int left = n;
        while (left > 0) {
            int size = Math.min(left, Math.max(1, n / 4));
            float[] v = new float[size];
            for (int i = 0; i < size; i++) v[i] = (float) Math.sin(i * 0.01) * 0.05f;
            ps.add(Tensor.of(v).requiresGrad(true));
            left -= size;
        }
        return ps;
    }

    /**
     * Median microseconds per step. With {@code subnormalFraction} &gt; 0 the first such fraction of
     * each parameter gets zero gradients and a subnormal second moment {@code vValue} (and first
     * moment), so every step does subnormal arithmetic there.
     */
    private static double time(Optimizer opt, List<Tensor> ps, double subnormalFraction, float vValue) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : ps) {
            float[] g = new float[p.numel()];
            int zeroUpTo = (int) (g.length * subnormalFraction);
            for (int i = zeroUpTo; i < g.length; i++) g[i] = (float) Math.cos(i * 0.37) * 1e-2f;
            grads.add(Tensor.of(g));
        }
        for (int i = 0; i < ps.size(); i++) ps.get(i).setGrad(grads.get(i));
        for (int w = 0; w < WARMUP; w++) opt.step(); // lets the JIT compile the loop
        if (subnormalFraction > 0) {
            OptimizerState s = opt.stateDict();
            Map<Integer, OptimizerState.ParamState> states = new java.util.HashMap<>();
            for (var e : s.params().entrySet()) {
                Map<String, Tensor> bufs = new java.util.HashMap<>(e.getValue().buffers());
                for (String name : List.of("exp_avg", "exp_avg_sq")) {
                    float[] b = bufs.get(name).toFloatArray();
                    for (int i = 0, end = (int) (b.length * subnormalFraction); i < end; i++) b[i] = vValue;
                    bufs.put(name, Tensor.of(b));
                }
                states.put(e.getKey(), new OptimizerState.ParamState(e.getValue().step(), bufs));
            }
            opt.loadStateDict(new OptimizerState(s.optimizer(), s.groups(), states));
        }
        int reps = 100;
        long[] t = new long[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            opt.step();
            t[r] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        return t[reps / 2] / 1e3;
    }
}
