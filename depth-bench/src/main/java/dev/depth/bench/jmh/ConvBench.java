package dev.depth.bench.jmh;

import dev.depth.kernel.Conv2dKernels;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * {@link Conv2dKernels} at the two convolutions of workload W3 (batch 64, 3x3, padding 1):
 * {@code conv1} 1 -> 32 channels on 28x28, {@code conv2} 32 -> 64 channels on 14x14. The
 * forward pass, the input gradient and the weight gradient.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"})
@State(Scope.Benchmark)
public class ConvBench {
    /** conv1 (64x1x28x28 -> 64x32x28x28) or conv2 (64x32x14x14 -> 64x64x14x14). */
    @Param({"conv1", "conv2"})
    public String layer;

    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private Conv2dKernels.Geometry g;
    private float[] x, weight, bias, out, dout, dx, dw;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        g = switch (layer) {
            case "conv1" -> new Conv2dKernels.Geometry(64, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            case "conv2" -> new Conv2dKernels.Geometry(64, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            default -> throw new IllegalArgumentException("layer must be conv1 or conv2, got '" + layer + "'");
        };
        int in = g.n() * g.c() * g.h() * g.w(), outSize = g.n() * g.oc() * g.oh() * g.ow(), w = g.oc() * g.colRows();
        x = BenchDefaults.random(in, 1);
        weight = BenchDefaults.random(w, 2);
        bias = BenchDefaults.random(g.oc(), 3);
        dout = BenchDefaults.random(outSize, 4);
        out = new float[outSize];
        dx = new float[in];
        dw = new float[w];
    }

    @Benchmark
    public float[] forward() {
        Conv2dKernels.forward(g, x, weight, bias, out);
        return out;
    }

    @Benchmark
    public float[] backwardInput() {
        Conv2dKernels.backwardInput(g, dout, weight, dx);
        return dx;
    }

    @Benchmark
    public float[] backwardWeight() {
        Conv2dKernels.backwardWeight(g, x, dout, dw);
        return dw;
    }
}
