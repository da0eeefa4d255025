package dev.depth.bench.jmh;

import dev.depth.autograd.Autograd;
import dev.depth.nn.Attention;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * Causal self-attention at W5's shapes (batch 32, 4 heads, 128 positions, head size 32), with q,
 * k and v permuted out of one (N, T, 3E) projection as in the GPT block: the fused
 * {@link Attention#scaledDotProduct(Tensor, Tensor, Tensor, Tensor, boolean)} forward alone (no
 * graph) and forward plus backward, against the composite form that keeps the (T, T) weights.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"})
@State(Scope.Benchmark)
public class AttentionBench {
    /** batch x heads x positions x headDim. */
    @Param({"32x4x128x32"})
    public String shape;

    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private Tensor qkv, upstream;
    private int n, h, t, hd;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        int[] d = BenchDefaults.dims("shape", shape, 4);
        n = d[0];
        h = d[1];
        t = d[2];
        hd = d[3];
        Generator gen = new Generator(11);
        qkv = Tensor.randn(gen, n, t, 3 * h * hd).requiresGrad(true);
        upstream = Tensor.randn(gen, n, h, t, hd);
    }

    /** q, k, v: (N, heads, T, headDim) views of the projection. */
    private Tensor[] heads() {
        Tensor split = qkv.reshape(n, t, 3 * h, hd);
        Tensor[] out = new Tensor[3];
        for (int i = 0; i < 3; i++) out[i] = split.narrow(2, i * h, h).permute(0, 2, 1, 3);
        return out;
    }

    @Benchmark
    public Tensor fusedForward() {
        try (var scope = Autograd.noGrad()) {
            Tensor[] x = heads();
            return Attention.scaledDotProduct(x[0], x[1], x[2], null, true);
        }
    }

    @Benchmark
    public Tensor fusedForwardBackward() {
        qkv.setGrad(null);
        Tensor[] x = heads();
        Attention.scaledDotProduct(x[0], x[1], x[2], null, true).mul(upstream).sum().backward();
        return qkv.grad();
    }

    @Benchmark
    public Tensor compositeForwardBackward() {
        qkv.setGrad(null);
        Tensor[] x = heads();
        Attention.scaledDotProduct(x[0], x[1], x[2], null, true, 0f, false, null).output().mul(upstream).sum().backward();
        return qkv.grad();
    }
}
