package dev.depth.bench.jmh;

import dev.depth.nn.F;
import dev.depth.nn.Init;
import dev.depth.nn.Models;
import dev.depth.nn.Module;
import dev.depth.optim.Adam;
import dev.depth.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * One whole training step of W2's MLP (batch 128) or W3's CNN (batch 64) on a fixed random batch:
 * forward, softmax cross-entropy, zeroing the gradients, backward, Adam. Run it with {@code -prof gc}
 * to see the bytes allocated per step ({@code gc.alloc.rate.norm}); {@code zeroGrad} chooses how the
 * gradients are cleared: {@code none} drops them ({@link Adam#zeroGrad()}), {@code zero} zero-fills
 * them in place so the backward pass writes into the same buffers ({@code zeroGrad(false)}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g", "-Xmn1g"})
@State(Scope.Benchmark)
public class TrainStepBench {
    @Param({"mlp", "cnn"})
    public String model;

    @Param({"none", "zero"})
    public String zeroGrad;

    /** Kernel threads; 0: all cores. */
    @Param("0")
    public int threads;

    private Module net;
    private Adam adam;
    private Tensor x, y;
    private boolean setToNone;

    @Setup
    public void setup() {
        BenchDefaults.threads(threads);
        boolean cnn = model.equals("cnn");
        try (var scope = Init.seed(42)) {
            net = cnn ? Models.cnn() : Models.mlp();
        }
        net.train();
        adam = new Adam(net.parameters(), 1e-3);
        int batch = cnn ? 64 : 128;
        x = Tensor.wrap(BenchDefaults.random(batch * 784, 1), batch, 1, 28, 28);
        float[] labels = new float[batch];
        for (int i = 0; i < batch; i++) labels[i] = (i * 7) % 10;
        y = Tensor.wrap(labels, batch);
        setToNone = switch (zeroGrad) {
            case "none" -> true;
            case "zero" -> false;
            default -> throw new IllegalArgumentException("zeroGrad: expected none or zero, got " + zeroGrad);
        };
    }

    @Benchmark
    public float step() {
        Tensor loss = F.crossEntropy(net.forward(x), y);
        adam.zeroGrad(setToNone);
        loss.backward();
        adam.step();
        return loss.item();
    }
}
