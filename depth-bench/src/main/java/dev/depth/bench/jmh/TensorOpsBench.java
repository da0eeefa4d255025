package dev.depth.bench.jmh;

import dev.depth.autograd.Autograd;
import dev.depth.nn.F;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * Public tensor ops end to end (op dispatch, allocation and kernel together) on a (rows, cols)
 * input: the element-wise chain {@code x.mul(y).add(z).relu()} without a graph and with forward
 * and backward, sums over each dimension, softmax over the last dimension, and
 * {@link F#layerNorm} over the last dimension with weight and bias, and the transcendental
 * activations (exp, tanh, sigmoid, GELU: the deterministic {@code ExpMath} kernels). Plus a sum of an
 * NCHW activation over (N, H, W), as a convolution's bias gradient needs. Run with {@code -prof gc}
 * to see the bytes allocated per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"})
@State(Scope.Benchmark)
public class TensorOpsBench {
    /** rows x cols: a W2 activation (128x512) and a GPT-like (batch*context, width) = 4096x128. */
    @Param({"128x512", "4096x128"})
    public String shape;

    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private Tensor x, y, z, xg, yg, zg, weight, bias, nchw;
    private int cols;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        int[] d = BenchDefaults.dims("shape", shape, 2);
        cols = d[1];
        Generator gen = new Generator(7);
        x = Tensor.randn(gen, d);
        y = Tensor.randn(gen, d);
        z = Tensor.randn(gen, d);
        xg = x.copy().requiresGrad(true);
        yg = y.copy().requiresGrad(true);
        zg = z.copy().requiresGrad(true);
        weight = Tensor.randn(gen, cols);
        bias = Tensor.randn(gen, cols);
        nchw = Tensor.randn(gen, 64, 32, 28, 28);
    }

    @Benchmark
    public Tensor chain() {
        try (var scope = Autograd.noGrad()) {
            return x.mul(y).add(z).relu();
        }
    }

    @Benchmark
    public Tensor chainForwardBackward() {
        xg.setGrad(null);
        yg.setGrad(null);
        zg.setGrad(null);
        xg.mul(yg).add(zg).relu().sum().backward();
        return xg.grad();
    }

    @Benchmark
    public Tensor exp() {
        return x.exp(); // x requires no gradient: no graph is recorded
    }

    @Benchmark
    public Tensor tanh() {
        return x.tanh(); // x requires no gradient: no graph is recorded
    }

    @Benchmark
    public Tensor sigmoid() {
        return x.sigmoid(); // x requires no gradient: no graph is recorded
    }

    @Benchmark
    public Tensor gelu() {
        return x.gelu(); // x requires no gradient: no graph is recorded
    }

    @Benchmark
    public Tensor sumRows() {
        try (var scope = Autograd.noGrad()) {
            return x.sum(1);
        }
    }

    @Benchmark
    public Tensor sumColumns() {
        try (var scope = Autograd.noGrad()) {
            return x.sum(0);
        }
    }

    @Benchmark
    public Tensor sumNchwOverNHW() {
        try (var scope = Autograd.noGrad()) {
            return nchw.sum(new int[] {0, 2, 3}, false);
        }
    }

    @Benchmark
    public Tensor softmax() {
        try (var scope = Autograd.noGrad()) {
            return x.softmax(1);
        }
    }

    @Benchmark
    public Tensor layerNorm() {
        try (var scope = Autograd.noGrad()) {
            return F.layerNorm(x, new int[] {cols}, weight, bias, 1e-5f);
        }
    }
}
