package dev.depth.nn;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;


/** Layers and losses against golden values from PyTorch (see src/test/python/make_layer_fixtures.py). */
class PyTorchReferenceTest {
    private static final Fixtures FIX = new Fixtures("layers.txt");

    private static Tensor fx(String name) {
        return FIX.get(name);
    }

    private static void close(String what, Tensor expected, Tensor actual) {
        Fixtures.assertClose(what, expected, actual, 1e-4, 1e-5);
    }

    /** Runs fn on the fixture's inputs, backpropagates its gout, and compares output and input gradients. */
    private static void check(String prefix, Function<Tensor[], Tensor> fn, String... inputs) {
        Tensor[] ins = new Tensor[inputs.length];
        for (int i = 0; i < ins.length; i++) ins[i] = fx(prefix + "." + inputs[i]).requiresGrad(true);
        Tensor y = fn.apply(ins);
        close(prefix + ".out", fx(prefix + ".out"), y);
        y.backward(fx(prefix + ".gout"));
        for (int i = 0; i < ins.length; i++) close(prefix + ".grad." + inputs[i], fx(prefix + ".grad." + inputs[i]), ins[i].grad());
    }

    @Test void linear() { check("linear", t -> F.linear(t[0], t[1], t[2]), "x", "w", "b"); }

    @Test void conv2d() {
        check("conv2d", t -> F.conv2d(t[0], t[1], t[2], new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, 1), "x", "w", "b");
    }

    @Test void conv2dGroups() {
        check("conv2d_groups", t -> F.conv2d(t[0], t[1], null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2), "x", "w");
    }

    @Test void maxPool() { check("maxpool", t -> F.maxPool2d(t[0], new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}), "x"); }

    @Test void avgPool() { check("avgpool", t -> F.avgPool2d(t[0], new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 1}), "x"); }

    @Test void layerNorm() { check("layernorm", t -> F.layerNorm(t[0], new int[] {6}, t[1], t[2], 1e-5f), "x", "w", "b"); }

    @Test void gelu() { check("gelu", t -> t[0].mul(3f).gelu(), "x"); }

    @Test void geluTanh() { check("gelu_tanh", t -> t[0].mul(3f).geluTanh(), "x"); }

    @Test void softplus() { check("softplus", t -> t[0].mul(10f).softplus(), "x"); }

    @Test void logSoftmax() { check("logsoftmax", t -> t[0].logSoftmax(1), "x"); }

    @Test void crossEntropyWithLabelSmoothing() {
        check("ce", t -> F.crossEntropy(t[0], fx("ce.target"), 0.1f, Reduction.MEAN, -100), "x");
    }

    @Test void batchNormTrainingAndRunningStatistics() {
        Tensor rm = Tensor.zeros(3), rv = Tensor.ones(3);
        check("batchnorm", t -> F.batchNorm(t[0], rm, rv, t[1], t[2], true, 0.1f, 1e-5f), "x", "w", "b");
        close("running_mean", fx("batchnorm.running_mean"), rm);
        close("running_var", fx("batchnorm.running_var"), rv);
    }
}
