package dev.depth.bench.jmh;

import dev.depth.nn.Init;
import dev.depth.nn.Models;
import dev.depth.nn.Module;
import dev.depth.optim.Adam;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * One {@link Adam} step (lr 1e-3) over the parameters of W2's MLP (535,818 floats), with fixed
 * random gradients. Small gradients ({@code gradScale} 1e-20) drive Adam's state towards the
 * denormal range that bench/PYTORCH.md warns of; 1 is the ordinary case.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"})
@State(Scope.Benchmark)
public class OptimizerBench {
    /** Scale of the random gradients. */
    @Param({"1", "1e-20"})
    public float gradScale;

    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private Adam adam;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        Module model;
        try (var scope = Init.seed(42)) {
            model = Models.mlp();
        }
        Generator gen = new Generator(3);
        for (Tensor p : model.parameters()) p.setGrad(Tensor.randn(gen, p.shape()).mul(gradScale));
        adam = new Adam(model.parameters(), 1e-3);
    }

    @Benchmark
    public Adam adamStep() {
        adam.step();
        return adam;
    }
}
