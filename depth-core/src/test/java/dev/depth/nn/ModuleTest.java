package dev.depth.nn;

import dev.depth.autograd.GradCheck;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModuleTest {
    @Test
    void namedParametersAndStateDictUsePyTorchNames() {
        Sequential m = new Sequential(new Linear(4, 3), new BatchNorm1d(3), new ReLU(), new Linear(3, 2, false, new Generator(1)));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "3.weight"),
                List.copyOf(m.stateDict().keySet()));
        assertEquals(4 * 3 + 3 + 3 + 3 + 3 * 2, m.numParameters());
        assertTrue(m.parameters().stream().allMatch(Tensor::requiresGrad));
    }

    @Test
    void loadStateDictCopiesValuesAndReportsEveryProblem() {
        Sequential a, b;
        try (var s = Init.seed(1)) {
            a = new Sequential(new Linear(4, 3), new Linear(3, 2));
        }
        try (var s = Init.seed(2)) {
            b = new Sequential(new Linear(4, 3), new Linear(3, 2));
        }
        assertFalse(a.stateDict().get("0.weight").allClose(b.stateDict().get("0.weight"), 0, 0));
        b.loadStateDict(a.stateDict());
        for (var e : a.stateDict().entrySet()) assertTrue(e.getValue().allClose(b.stateDict().get(e.getKey()), 0, 0), e.getKey());
        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(a.stateDict());
        bad.remove("1.bias");
        bad.put("0.weight", Tensor.zeros(5, 5));
        bad.put("extra", Tensor.zeros(1));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
        assertTrue(ex.getMessage().contains("missing key '1.bias'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("unexpected key 'extra'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("[5, 5]"), ex.getMessage());
    }

    @Test
    void initialisationIsSeededAndFollowsPyTorchBounds() {
        Linear l1, l2;
        try (var s = Init.seed(7)) {
            l1 = new Linear(100, 50);
        }
        try (var s = Init.seed(7)) {
            l2 = new Linear(100, 50);
        }
        assertTrue(l1.weight.allClose(l2.weight, 0, 0));
        float bound = (float) (1 / Math.sqrt(100));
        assertTrue(l1.weight.abs().max().item() <= bound);
        assertTrue(l1.weight.abs().max().item() > 0.9 * bound);
        Tensor w = Tensor.zeros(256, 512);
        Init.kaimingNormal(w, 0, false, "relu", new Generator(3));
        assertEquals(Math.sqrt(2.0 / 512), Math.sqrt(w.var().item()), 0.002);
        Init.xavierUniform(w, 1.0, new Generator(3));
        assertTrue(w.abs().max().item() <= Math.sqrt(6.0 / (256 + 512)) + 1e-6);
        assertEquals(Math.sqrt(2.0 / 768), Math.sqrt(w.var().item()), 0.002);
    }

    @Test
    void trainAndEvalModes() {
        Dropout d = new Dropout(0.5f, new Generator(1));
        Tensor x = Tensor.ones(1000);
        Tensor y = d.forward(x);
        float zeros = y.eq(0f).sum().item();
        assertTrue(zeros > 400 && zeros < 600, "dropped " + zeros);
        assertEquals(1000f, y.sum().item(), 120f);
        d.eval();
        assertSame(x, d.forward(x));
        Sequential s = new Sequential(new Linear(2, 2), new Dropout(0.1f));
        s.eval();
        assertFalse(s.get(1).isTraining());
        s.train();
        assertTrue(s.get(1).isTraining());
    }

    @Test
    void batchNormUsesRunningStatisticsInEval() {
        BatchNorm1d bn = new BatchNorm1d(2);
        Tensor x = Tensor.of(new float[][] {{1, 10}, {3, 20}, {5, 30}});
        bn.forward(x);
        assertArrayEquals(new float[] {0.3f, 2f}, bn.runningMean.toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.9f + 0.4f, 0.9f + 10f}, bn.runningVar.toFloatArray(), 1e-5f);
        bn.eval();
        Tensor y = bn.forward(Tensor.of(new float[][] {{0.3f, 2f}}));
        assertArrayEquals(new float[] {0, 0}, y.toFloatArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(3, 5)));
    }

    @Test
    void layersCheckTheirInputsWithClearMessages() {
        Linear l = new Linear(4, 3);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 5)));
        assertTrue(ex.getMessage().contains("linear") && ex.getMessage().contains("[2, 5]") && ex.getMessage().contains("4"), ex.getMessage());
        Conv2d c = new Conv2d(3, 8, 3);
        ex = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(1, 2, 8, 8)));
        assertTrue(ex.getMessage().contains("conv2d") && ex.getMessage().contains("channels"), ex.getMessage());
        var oob = assertThrows(IndexOutOfBoundsException.class, () -> F.crossEntropy(Tensor.zeros(2, 3), Tensor.of(0f, 3f)));
        assertTrue(oob.getMessage().contains("crossEntropy") && oob.getMessage().contains("[0, 3)"), oob.getMessage());
    }

    /** Logits far from 0 (each row shifted by its max before exp): the loss and the gradient stay finite and right. */
    @Test
    void crossEntropyOfLargeLogitsIsFiniteAndExact() {
        Tensor x = Tensor.of(new float[][] {{1000f, 0f, -1000f}, {-5000f, -5000f, -5000f}, {88.7f, 89.7f, 90.7f}}).requiresGrad(true);
        Tensor loss = F.crossEntropy(x, Tensor.of(1f, 2f, 2f), 0f, Reduction.NONE, -100);
        float[] l = loss.toFloatArray();
        assertEquals(1000f, l[0], 1e-3f);                      // -(0 - 1000 - log(1 + e^-1000 + e^-2000))
        assertEquals((float) Math.log(3), l[1], 1e-6f);        // equal logits
        double lse = 90.7 + Math.log(1 + Math.exp(-1) + Math.exp(-2));
        assertEquals(lse - 90.7, l[2], 1e-5);
        loss.sum().backward();
        float[] g = x.grad().toFloatArray();
        for (float v : g) assertTrue(Float.isFinite(v), java.util.Arrays.toString(g));
        assertEquals(1f, g[0], 1e-6f);                         // softmax - onehot: (1, -1, 0)
        assertEquals(-1f, g[1], 1e-6f);
        assertEquals(1f / 3, g[3], 1e-6f);
        assertEquals(-2f / 3, g[5], 1e-6f);
    }

    @Test
    void printsATree() {
        String s = Models.cnn().toString();
        assertTrue(s.startsWith("Sequential("), s);
        assertTrue(s.contains("(0): Conv2d(1, 32, kernel=3x3, stride=1x1, padding=1x1)"), s);
        assertTrue(s.contains("(7): Linear(inFeatures=3136, outFeatures=128, bias=true)"), s);
    }

    @Test
    void referenceModelsHaveTheWorkloadShapes() {
        assertEquals(535_818, Models.mlp().numParameters());
        assertEquals(421_642, Models.cnn().numParameters());
        assertArrayEquals(new int[] {3, 10}, Models.cnn().forward(Tensor.zeros(3, 1, 28, 28)).shape());
    }

    @Test
    void wholeSmallModelPassesGradCheck() {
        Sequential m;
        try (var s = Init.seed(3)) {
            m = new Sequential(new Conv2d(1, 2, 3).padding(1), new Tanh(), new AvgPool2d(2), new Flatten(), new Linear(8, 3), new GELU());
        }
        Tensor x = Tensor.uniform(new Generator(4), -1, 1, 2, 1, 4, 4).requiresGrad(true);
        Sequential model = m;
        Tensor[] ins = new Tensor[model.parameters().size() + 1];
        ins[0] = x;
        for (int i = 0; i < model.parameters().size(); i++) ins[i + 1] = model.parameters().get(i);
        GradCheck.assertGradients("small model", t -> F.crossEntropy(model.forward(t[0]), Tensor.of(0f, 2f)), ins);
    }
}
