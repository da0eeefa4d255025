package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.Parallel;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Sequential's inference path (fused Linear/ReLU chains under noGrad) against the layer-by-layer path. */
class InferenceTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** The layers one by one, recording the graph: the normal path. */
    private static Tensor layerByLayer(Sequential model, Tensor x) {
        for (int i = 0; i < model.size(); i++) x = model.get(i).forward(x);
        return x;
    }

    private static Tensor inference(Sequential model, Tensor x) {
        try (var s = Autograd.noGrad()) {
            return model.forward(x);
        }
    }

    /** W2's MLP (seed 42) in evaluation mode. */
    private static Sequential evalMlp() {
        Sequential model;
        try (var s = Init.seed(42)) {
            model = Models.mlp();
        }
        model.eval();
        return model;
    }

    @Test
    void mlpInferenceEqualsTheNormalPathAtEveryBatchSize() {
        Sequential model = evalMlp();
        var gen = new Generator(7);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int batch : new int[] {1, 2, 3, 5, 17, 128, 256}) {
                Tensor x = Tensor.rand(gen, batch, 1, 28, 28);
                Tensor expected = layerByLayer(model, x), actual = inference(model, x);
                assertArrayEquals(expected.shape(), actual.shape());
                assertFalse(actual.requiresGrad());
                // The same kernels in the same order: equal bit for bit (the goal is within 1e-5 relative).
                assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), "batch " + batch + ", " + threads + " threads");
            }
        }
    }

    @Test
    void chainsStopAtOtherModulesAndKeepLeadingDimensions() {
        Sequential model;
        try (var s = Init.seed(3)) {
            model = new Sequential(new Linear(7, 17), new ReLU(), new ReLU(), new Linear(17, 9, false, Init.generator()), new Tanh(),
                    new Linear(9, 33), new Linear(33, 1), new ReLU());
        }
        Tensor x = Tensor.randn(new Generator(1), 2, 3, 7);
        Tensor expected = layerByLayer(model, x), actual = inference(model, x);
        assertArrayEquals(new int[] {2, 3, 1}, actual.shape());
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
        // One sample without a batch dimension, and an empty batch.
        Tensor v = Tensor.randn(new Generator(5), 7);
        assertArrayEquals(new int[] {1}, inference(model, v).shape());
        assertArrayEquals(layerByLayer(model, v).toFloatArray(), inference(model, v).toFloatArray());
        assertArrayEquals(new int[] {0, 1}, inference(model, Tensor.zeros(0, 7)).shape());
        // A non-contiguous input.
        Tensor xt = Tensor.randn(new Generator(2), 7, 4).t();
        assertArrayEquals(layerByLayer(model, xt).toFloatArray(), inference(model, xt).toFloatArray());
    }

    /** Dropout in evaluation mode is the identity and joins the chain; in training mode it stops it. */
    @Test
    void evalDropoutJoinsTheChainTrainingDropoutDoesNot() {
        Sequential model;
        try (var s = Init.seed(6)) {
            model = new Sequential(new Linear(5, 12), new ReLU(), new Dropout(0.5f), new Linear(12, 7), new Dropout(0.3f), new ReLU(), new ReLU(),
                    new Linear(7, 3), new Dropout(0.2f));
        }
        model.eval();
        Tensor x = Tensor.randn(new Generator(4), 6, 5);
        assertEquals(model.size(), LinearChain.end(java.util.List.of(model.get(0), model.get(1), model.get(2), model.get(3), model.get(4),
                model.get(5), model.get(6), model.get(7), model.get(8)), 0));
        assertArrayEquals(layerByLayer(model, x).toFloatArray(), inference(model, x).toFloatArray());
        model.train();
        assertEquals(2, LinearChain.end(java.util.List.of(model.get(0), model.get(1), model.get(2), model.get(3)), 0));
    }

    /** A subclass may change forward: it is run as written, never fused. */
    @Test
    void subclassesOfLinearAndReluRunTheirOwnForward() {
        class Doubling extends ReLU {
            @Override
            public Tensor forward(Tensor x) {
                return super.forward(x).mul(2f);
            }
        }
        Sequential model;
        try (var s = Init.seed(5)) {
            model = new Sequential(new Linear(6, 8), new Doubling(), new Linear(8, 3));
        }
        Tensor x = Tensor.randn(new Generator(3), 4, 6);
        assertArrayEquals(layerByLayer(model, x).toFloatArray(), inference(model, x).toFloatArray());
    }

    @Test
    void shapeErrorsAreTheLayersOwn() {
        Sequential model = new Sequential(new Linear(5, 4), new ReLU(), new Linear(3, 2));
        Tensor x = Tensor.zeros(2, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> inference(model, x));
        assertTrue(e.getMessage().startsWith("linear: input of shape"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> inference(model, Tensor.zeros(2, 6)));
        assertTrue(e2.getMessage().contains("in_features=5"), e2.getMessage());
    }

    /** With the graph recorded, the chain is not used: gradients flow as before. */
    @Test
    void trainingStillRecordsTheGraph() {
        Sequential model;
        try (var s = Init.seed(8)) {
            model = new Sequential(new Linear(4, 6), new ReLU(), new Linear(6, 2));
        }
        Tensor y = model.forward(Tensor.randn(new Generator(4), 3, 4));
        assertTrue(y.requiresGrad());
        y.sum().backward();
        assertNotNull(((Linear) model.get(0)).weight.grad());
    }

    /** Two threads running inference on one model at once get the single-threaded results (per-thread buffers). */
    @Test
    void concurrentInferenceIsSafe() throws Exception {
        Sequential model;
        try (var s = Init.seed(9)) {
            model = new Sequential(new Linear(30, 40), new ReLU(), new Linear(40, 20), new ReLU(), new Linear(20, 5));
        }
        model.eval();
        Tensor[] inputs = new Tensor[8];
        float[][] expected = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = Tensor.randn(new Generator(100 + i), 1 + i, 30);
            expected[i] = layerByLayer(model, inputs[i]).toFloatArray();
        }
        Throwable[] failure = new Throwable[1];
        Thread[] ts = new Thread[3];
        for (int t = 0; t < ts.length; t++) {
            ts[t] = new Thread(() -> {
                try {
                    for (int rep = 0; rep < 200; rep++) {
                        for (int i = 0; i < inputs.length; i++) assertArrayEquals(expected[i], inference(model, inputs[i]).toFloatArray());
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        if (failure[0] != null) throw new AssertionError(failure[0]);
    }

    // ---- frozen models: weights packed once ------------------------------------------------------

    @Test
    void frozenMlpEqualsTheModelBitForBitAndIsASnapshot() {
        Sequential model = evalMlp();
        Sequential frozen = model.freeze();
        assertFalse(frozen.isTraining());
        assertTrue(frozen.parameters().isEmpty(), "a frozen model has no parameters");
        assertEquals(List.of(Flatten.class, FrozenLinear.class, ReLU.class, FrozenLinear.class, ReLU.class, FrozenLinear.class),
                frozen.namedChildren().values().stream().map(Object::getClass).toList());
        var gen = new Generator(5);
        Tensor[] xs = new Tensor[7];
        float[][] before = new float[xs.length][];
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            int i = 0;
            for (int batch : new int[] {1, 2, 3, 17, 128, 256, 300}) {
                Tensor x = xs[i] = Tensor.rand(gen, batch, 1, 28, 28);
                Tensor expected = inference(model, x), actual = inference(frozen, x);
                assertArrayEquals(expected.shape(), actual.shape());
                assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), "batch " + batch + ", " + threads + " threads");
                // with gradients recorded, for an input that needs none: the layers one by one, the same bits
                assertArrayEquals(expected.toFloatArray(), frozen.forward(x).toFloatArray(), "grad mode, batch " + batch);
                before[i++] = actual.toFloatArray();
            }
        }
        // training the model afterwards does not change the snapshot
        Linear first = (Linear) model.get(1);
        first.weight.storage()[first.weight.offset()] += 1f;
        try (var s = Autograd.noGrad()) {
            for (Tensor p : model.parameters()) p.mulInPlace(0.5f);
        }
        for (int i = 0; i < xs.length; i++) assertArrayEquals(before[i], inference(frozen, xs[i]).toFloatArray(), "snapshot, input " + i);
    }

    @Test
    void freezeLeavesOutDropoutAndIdentityFlattensNestedModelsAndKeepsTheSourceModes() {
        Sequential model;
        try (var s = Init.seed(8)) {
            model = new Sequential(new Linear(12, 40), new Dropout(0.3f), new ReLU(),
                    new Sequential(new Linear(40, 33), new Identity(), new ReLU()), new Linear(33, 5));
        }
        model.train();
        Sequential frozen = model.freeze();
        assertEquals(List.of(FrozenLinear.class, ReLU.class, FrozenLinear.class, ReLU.class, FrozenLinear.class),
                frozen.namedChildren().values().stream().map(Object::getClass).toList());
        assertTrue(model.isTraining() && model.get(1).isTraining() && model.get(2).isTraining(), "the source keeps its modes");
        model.eval();
        Tensor x = Tensor.randn(new Generator(2), 4, 3, 12);
        assertArrayEquals(inference(model, x).toFloatArray(), inference(frozen, x).toFloatArray());
        assertArrayEquals(new int[] {4, 3, 5}, inference(frozen, x).shape());
        // a frozen model frozen again: the same snapshot
        assertArrayEquals(inference(frozen, x).toFloatArray(), inference(frozen.freeze(), x).toFloatArray());
    }

    @Test
    void freezeRefusesLayersWithStateAndFrozenLayersRefuseGradients() {
        Sequential withNorm = new Sequential(new Linear(4, 8), new LayerNorm(8));
        var e = assertThrows(IllegalArgumentException.class, withNorm::freeze);
        assertTrue(e.getMessage().contains("layer 1 is a LayerNorm"), e.getMessage());

        FrozenLinear fc = new Linear(6, 3).freeze();
        Tensor x = Tensor.randn(new Generator(1), 2, 6).requiresGrad(true);
        var g = assertThrows(IllegalStateException.class, () -> fc.forward(x));
        assertTrue(g.getMessage().contains("inference only"), g.getMessage());
        try (var s = Autograd.noGrad()) {
            assertArrayEquals(new int[] {2, 3}, fc.forward(x).shape());
        }
        var bad = assertThrows(IllegalArgumentException.class, () -> fc.forward(Tensor.zeros(2, 5)));
        assertTrue(bad.getMessage().contains("in_features=6"), bad.getMessage());
    }
}
