package dev.depth.kernel;

import java.util.Random;

/**
 * Hand-run timing of the kernels (not a unit test). From the repository root, after
 * {@code mvn -q -pl depth-core test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp depth-core/target/classes:depth-core/target/test-classes \
 *     dev.depth.kernel.KernelBench [gemm|conv|pool|ew]...
 * </pre>
 * Each figure is the fastest of many repeats after 0.5 s of warm-up (the minimum resists other
 * load on a shared machine); 1T and 2T set {@link Parallel#setThreads}.
 */
public final class KernelBench {
    private KernelBench() {}

    public static void main(String[] args) {
        System.out.println(Kernels.describe() + "; " + Gemm.describe() + "; java " + System.getProperty("java.version"));
        var which = java.util.Set.of(args.length == 0 ? new String[] {"gemm", "conv", "pool", "ew"} : args);
        if (which.contains("gemm")) gemm();
        if (which.contains("conv")) conv();
        if (which.contains("pool")) pool();
        if (which.contains("ew")) elementwise();
    }

    static float[] random(int n, long seed) {
        var r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    /** Fastest seconds of {@code body} over repeats after warming up for about 0.5 s (the minimum resists other load on the machine). */
    static double time(Runnable body) {
        long t0 = System.nanoTime();
        int warm = 0;
        while (System.nanoTime() - t0 < 500_000_000L || warm < 3) { body.run(); warm++; }
        int reps = Math.max(5, Math.min(200, warm));
        double[] s = new double[reps];
        for (int i = 0; i < reps; i++) {
            long a = System.nanoTime();
            body.run();
            s[i] = (System.nanoTime() - a) * 1e-9;
        }
        java.util.Arrays.sort(s);
        return s[0];
    }

    static void gemmCase(String label, boolean ta, boolean tb, int m, int n, int k) {
        float[] a = random(m * k, 1), b = random(k * n, 2), c = new float[m * n];
        int lda = ta ? m : k, ldb = tb ? k : n;
        StringBuilder sb = new StringBuilder(String.format("%-34s", label + (ta ? " tA" : "") + (tb ? " tB" : "") + " " + m + "x" + n + "x" + k));
        for (int t : new int[] {1, 2}) {
            Parallel.setThreads(t);
            double s = time(() -> Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n));
            sb.append(String.format("  %dT %7.1f GFLOP/s (%7.3f ms)", t, 2.0 * m * n * k / s * 1e-9, s * 1e3));
        }
        System.out.println(sb);
    }

    static void gemm() {
        gemmCase("square", false, false, 1024, 1024, 1024);
        gemmCase("square", false, false, 512, 512, 512);
        gemmCase("square", true, true, 1024, 1024, 1024);
        gemmCase("mlp fwd x@W^T", false, true, 128, 512, 784);
        gemmCase("mlp fwd x@W", false, false, 128, 512, 784);
        gemmCase("mlp dW = dY^T x", true, false, 512, 784, 128);
        gemmCase("mlp dx = dY W", false, false, 128, 784, 512);
        gemmCase("mlp (784x128)@(128x512)", true, false, 784, 512, 128);
        gemmCase("mlp2 fwd", false, true, 128, 10, 512);
        gemmCase("conv2 fwd 1 img", false, false, 64, 196, 288);
        gemmCase("conv im2col", false, false, 32, 196, 288);
        gemmCase("conv im2col", false, false, 64, 784, 288);
        gemmCase("conv2 fwd 16 img", false, false, 64, 196 * 16, 288);
        gemmCase("conv2 dW 64 img", false, true, 64, 288, 196 * 64);
        gemmCase("conv1 dW 64 img", false, true, 32, 9, 784 * 64);
        gemmCase("conv1 fwd 16 img", false, false, 32, 784 * 16, 9);
        gemmCase("conv2 dcol 16 img", true, false, 288, 196 * 16, 64);
        gemmCase("gemv m=1", false, true, 1, 4096, 1024);
        gemmCase("gemv n=1", false, false, 4096, 1, 1024);
        gemmCase("small", false, false, 16, 16, 16);
        gemmCase("small 3", false, false, 3, 64, 64);
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    static void conv() {
        for (var g : new Conv2dKernels.Geometry[] {
                new Conv2dKernels.Geometry(64, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new Conv2dKernels.Geometry(64, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)}) {
            float[] x = random(g.n() * g.c() * g.h() * g.w(), 1), w = random(g.oc() * g.colRows(), 2), bias = random(g.oc(), 3);
            float[] out = new float[g.n() * g.oc() * g.oh() * g.ow()], dout = random(out.length, 4);
            float[] dx = new float[x.length], dw = new float[w.length], db = new float[g.oc()];
            for (int t : new int[] {1, 2}) {
                Parallel.setThreads(t);
                double f = time(() -> Conv2dKernels.forward(g, x, w, bias, out));
                double bi = time(() -> Conv2dKernels.backwardInput(g, dout, w, dx));
                double bw = time(() -> Conv2dKernels.backwardWeight(g, x, dout, dw));
                double bb = time(() -> Conv2dKernels.backwardBias(g, dout, db));
                System.out.printf("conv c=%d oc=%d %dx%d n=%d  %dT fwd %.2f ms, bwdInput %.2f ms, bwdWeight %.2f ms, bwdBias %.3f ms, total %.2f ms%n",
                        g.c(), g.oc(), g.h(), g.w(), g.n(), t, f * 1e3, bi * 1e3, bw * 1e3, bb * 1e3, (f + bi + bw + bb) * 1e3);
            }
        }
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    static void pool() {
        for (var g : new Pool2dKernels.Geometry[] {
                new Pool2dKernels.Geometry(64 * 32, 28, 28, 2, 2, 2, 2, 0, 0),
                new Pool2dKernels.Geometry(64 * 64, 14, 14, 2, 2, 2, 2, 0, 0)}) {
            float[] x = random(g.planes() * g.h() * g.w(), 1), out = new float[g.planes() * g.oh() * g.ow()], dx = new float[x.length];
            int[] argmax = new int[out.length];
            for (int t : new int[] {1, 2}) {
                Parallel.setThreads(t);
                double f = time(() -> Pool2dKernels.maxForward(g, x, out, argmax));
                double b = time(() -> Pool2dKernels.maxBackward(g, out, argmax, dx));
                System.out.printf("maxpool 2x2 planes=%d %dx%d  %dT fwd %.3f ms, bwd %.3f ms%n", g.planes(), g.h(), g.w(), t, f * 1e3, b * 1e3);
            }
        }
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    static void elementwise() {
        int n = 1 << 20;
        float[] a = random(n, 1), b = random(n, 2), out = new float[n];
        for (var f : new Elementwise.Unary[] {Elementwise.Unary.RELU, Elementwise.Unary.EXP, Elementwise.Unary.TANH}) {
            double s = time(() -> Elementwise.unary(f, a, 0, out, 0, n));
            System.out.printf("unary %-8s n=%d  %.3f ms (%.2f Gelem/s)%n", f, n, s * 1e3, n / s * 1e-9);
        }
        double s = time(() -> Elementwise.unaryBackward(Elementwise.Unary.RELU, a, a, b, out, n));
        System.out.printf("unaryBackward RELU n=%d  %.3f ms (%.2f Gelem/s)%n", n, s * 1e3, n / s * 1e-9);
        for (var f : Elementwise.Binary.values()) {
            double t = time(() -> Elementwise.binary(f, a, 0, 1, b, 0, 1, out, 0, n));
            double t0 = time(() -> Elementwise.binary(f, a, 0, 1, b, 0, 0, out, 0, n));
            System.out.printf("binary %-8s n=%d  %.3f ms, scalar b %.3f ms%n", f, n, t * 1e3, t0 * 1e3);
        }
    }
}
