package dev.depth.bench.jmh;

import dev.depth.nn.F;
import dev.depth.nn.LSTMCell;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The fused ops of the sequence models, forward and backward together, at bench workload
 * shapes: GELU and {@link F#layerNorm} on a W5 activation (batch * context, width) = 4096 x 512
 * and 4096 x 128, and one {@link LSTMCell} step at W4's batch 32, input 64, hidden 256 (both
 * projections, the fused gate kernel, and their gradients).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"})
@State(Scope.Benchmark)
public class SequenceOpsBench {
    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private Tensor wide, narrow, weight, bias, x, h, c;
    private LSTMCell cell;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        Generator gen = new Generator(7);
        wide = Tensor.randn(gen, 4096, 512).requiresGrad(true);
        narrow = Tensor.randn(gen, 4096, 128).requiresGrad(true);
        weight = Tensor.randn(gen, 128).requiresGrad(true);
        bias = Tensor.randn(gen, 128).requiresGrad(true);
        cell = new LSTMCell(64, 256, true, gen);
        x = Tensor.randn(gen, 32, 64).requiresGrad(true);
        h = Tensor.randn(gen, 32, 256).requiresGrad(true);
        c = Tensor.randn(gen, 32, 256).requiresGrad(true);
    }

    @Benchmark
    public Tensor geluForwardBackward() {
        wide.setGrad(null);
        wide.gelu().sum().backward();
        return wide.grad();
    }

    @Benchmark
    public Tensor layerNormForwardBackward() {
        narrow.setGrad(null);
        weight.setGrad(null);
        bias.setGrad(null);
        F.layerNorm(narrow, new int[] {128}, weight, bias, 1e-5f).sum().backward();
        return narrow.grad();
    }

    @Benchmark
    public Tensor lstmStepForwardBackward() {
        cell.zeroGrad();
        x.setGrad(null);
        h.setGrad(null);
        c.setGrad(null);
        Tensor[] s = cell.forward(x, h, c);
        s[0].sum().add(s[1].sum()).backward();
        return x.grad();
    }
}
