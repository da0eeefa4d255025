package dev.depth.bench.jmh;

import dev.depth.kernel.Pool2dKernels;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * {@link Pool2dKernels} max pooling 2x2, stride 2, at W3's two pooling layers (batch 64):
 * {@code pool1} 32 planes of 28x28 per image, {@code pool2} 64 planes of 14x14. Forward (with
 * the arg-max) and backward.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"})
@State(Scope.Benchmark)
public class PoolBench {
    /** pool1 (64*32 planes of 28x28) or pool2 (64*64 planes of 14x14). */
    @Param({"pool1", "pool2"})
    public String layer;

    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private Pool2dKernels.Geometry g;
    private float[] x, out, dout, dx;
    private int[] argmax;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        g = switch (layer) {
            case "pool1" -> new Pool2dKernels.Geometry(64 * 32, 28, 28, 2, 2, 2, 2, 0, 0);
            case "pool2" -> new Pool2dKernels.Geometry(64 * 64, 14, 14, 2, 2, 2, 2, 0, 0);
            default -> throw new IllegalArgumentException("layer must be pool1 or pool2, got '" + layer + "'");
        };
        int outSize = g.planes() * g.oh() * g.ow();
        x = BenchDefaults.random(g.planes() * g.h() * g.w(), 1);
        out = new float[outSize];
        argmax = new int[outSize];
        dout = BenchDefaults.random(outSize, 2);
        dx = new float[x.length];
        Pool2dKernels.maxForward(g, x, out, argmax);
    }

    @Benchmark
    public float[] maxForward() {
        Pool2dKernels.maxForward(g, x, out, argmax);
        return out;
    }

    @Benchmark
    public float[] maxBackward() {
        Pool2dKernels.maxBackward(g, dout, argmax, dx);
        return dx;
    }
}
