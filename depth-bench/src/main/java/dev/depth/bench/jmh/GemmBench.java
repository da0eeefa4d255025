package dev.depth.bench.jmh;

import dev.depth.kernel.Gemm;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * {@link Gemm#sgemm}: C (m x n) = op(A) op(B) with {@code trans} one of NN, NT, TN, TT (T: that
 * operand stored transposed) and {@code mnk} = "m x n x k". The shapes cover a batch-1 layer
 * (1x512x784, 1x784x512), odd sizes that fill no tile (127x129x65), the W2 MLP's forward and
 * gradient products (128x512x784, 512x784x128, 128x10x512), a W3 im2col product (64x3136x288),
 * and squares (256, 1024). GFLOP/s = 2mnk / time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"})
@State(Scope.Benchmark)
public class GemmBench {
    /** NN, NT, TN or TT: whether A, B are stored transposed. */
    @Param({"NN", "NT", "TN", "TT"})
    public String trans;

    /** m x n x k. */
    @Param({"1x512x784", "1x784x512", "127x129x65", "128x512x784", "512x784x128", "128x10x512", "64x3136x288", "256x256x256", "1024x1024x1024"})
    public String mnk;

    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private boolean ta, tb;
    private int m, n, k, lda, ldb;
    private float[] a, b, c;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        if (!trans.matches("[NT][NT]")) throw new IllegalArgumentException("trans must be NN, NT, TN or TT, got '" + trans + "'");
        ta = trans.charAt(0) == 'T';
        tb = trans.charAt(1) == 'T';
        int[] d = BenchDefaults.dims("mnk", mnk, 3);
        m = d[0];
        n = d[1];
        k = d[2];
        lda = ta ? m : k;
        ldb = tb ? k : n;
        a = BenchDefaults.random(m * k, 1);
        b = BenchDefaults.random(k * n, 2);
        c = new float[m * n];
    }

    @Benchmark
    public float[] sgemm() {
        Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        return c;
    }
}
