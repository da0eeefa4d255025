package dev.depth.optim;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizerTest {

    private static List<Tensor> params() {
        return List.of(Tensor.of(new float[] {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f}, 2, 3).requiresGrad(true),
                Tensor.of(0.1f, -0.2f, 0.3f).requiresGrad(true));
    }

    /** Every optimiser kind, configured with its options switched on, over the given parameters. */
    private static List<Function<List<Tensor>, Optimizer>> allKinds() {
        // one entry per loop variant of the update rules
        return List.of(
                ps -> new SGD(ps, 0.1).weightDecay(0.01).maximize(true),
                ps -> new SGD(ps, 0.1).momentum(0.9).nesterov(true).weightDecay(0.01),
                ps -> new SGD(ps, 0.1).momentum(0.9).dampening(0.1),
                ps -> new Adam(ps, 0.01),
                ps -> new Adam(ps, 0.01).amsgrad(true).weightDecay(0.01),
                ps -> new Adam(ps, 0.01).maximize(true),
                ps -> new AdamW(ps, 0.01).betas(0.8, 0.99),
                ps -> new AdamW(ps, 0.01).amsgrad(true).maximize(true),
                ps -> new RMSprop(ps, 0.01),
                ps -> new RMSprop(ps, 0.01).centered(true).weightDecay(0.1),
                ps -> new RMSprop(ps, 0.01).momentum(0.5).maximize(true),
                ps -> new RMSprop(ps, 0.01).centered(true).momentum(0.5),
                ps -> new Adagrad(ps, 0.1).lrDecay(0.01).initialAccumulatorValue(0.1));
    }

    private static float[][] gradSequence(int step, List<Tensor> ps) {
        float[][] g = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) {
            g[i] = new float[ps.get(i).numel()];
            for (int j = 0; j < g[i].length; j++) g[i][j] = (float) Math.sin(1.3 * step + 0.7 * j + i);
        }
        return g;
    }

    private static void setGrads(List<Tensor> ps, float[][] g) {
        for (int i = 0; i < ps.size(); i++) ps.get(i).setGrad(g[i] == null ? null : Tensor.of(g[i], ps.get(i).shape()));
    }

    private static float[][] values(List<Tensor> ps) {
        float[][] v = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) v[i] = ps.get(i).toFloatArray();
        return v;
    }

    // ---------------------------------------------------------------- validation

    private static void assertMessage(String expected, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertEquals(expected, ex.getMessage());
    }

    @Test
    void constructorsAndSettersRejectBadValuesNamingThem() {
        List<Tensor> ps = params();
        assertMessage("Adam: beta1 must be in [0, 1), got 1.2", () -> new Adam(ps).betas(1.2, 0.999));
        assertMessage("Adam: beta2 must be in [0, 1), got 1.0", () -> new Adam(ps).betas(0.9, 1.0));
        assertMessage("Adam: lr must be >= 0, got -0.001", () -> new Adam(ps, -0.001));
        assertMessage("Adam: eps must be >= 0, got -1.0E-8", () -> new Adam(ps).eps(-1e-8));
        assertMessage("Adam: weight_decay must be >= 0, got -0.1", () -> new Adam(ps).weightDecay(-0.1));
        assertMessage("AdamW: beta1 must be in [0, 1), got NaN", () -> new AdamW(ps).betas(Double.NaN, 0.9));
        assertMessage("SGD: lr must be >= 0, got NaN", () -> new SGD(ps, Double.NaN));
        assertMessage("SGD: lr must be finite, got Infinity", () -> new SGD(ps, Double.POSITIVE_INFINITY));
        assertMessage("SGD: momentum must be >= 0, got -0.9", () -> new SGD(ps, 0.1).momentum(-0.9));
        assertMessage("SGD: dampening must be in [0, 1], got 1.5", () -> new SGD(ps, 0.1).dampening(1.5));
        assertMessage("RMSprop: alpha must be in [0, 1], got 1.01", () -> new RMSprop(ps).alpha(1.01));
        assertMessage("RMSprop: momentum must be >= 0, got -1.0", () -> new RMSprop(ps).momentum(-1));
        assertMessage("Adagrad: lr_decay must be >= 0, got -0.5", () -> new Adagrad(ps).lrDecay(-0.5));
        assertMessage("Adagrad: initial_accumulator_value must be >= 0, got -1.0", () -> new Adagrad(ps).initialAccumulatorValue(-1));
        assertMessage("Adagrad: eps must be >= 0, got -1.0", () -> new Adagrad(ps).eps(-1));
        assertMessage("SGD: got an empty parameter list", () -> new SGD(List.of(), 0.1));
        assertMessage("Adam: lr must be >= 0, got -1.0", () -> new Adam(ps).setLr(-1));
        assertMessage("Adam: lr must be >= 0, got -1.0", () -> new Adam(ps).paramGroups().get(0).setLr(-1));
    }

    @Test
    void parametersMustBeDistinctContiguousLeaves() {
        Tensor a = Tensor.zeros(2, 3).requiresGrad(true);
        var dup = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a, a), 0.1));
        assertTrue(dup.getMessage().contains("appears in more than one place"), dup.getMessage());
        SGD sgd = new SGD(List.of(a), 0.1);
        assertThrows(IllegalArgumentException.class, () -> sgd.addParamGroup(List.of(a)));
        var nonLeaf = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a.mul(2f)), 0.1));
        assertTrue(nonLeaf.getMessage().contains("not a leaf"), nonLeaf.getMessage());
        Tensor t = Tensor.zeros(2, 3).transpose(0, 1);
        var strided = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(t), 0.1));
        assertTrue(strided.getMessage().contains("not contiguous"), strided.getMessage());
    }

    @Test
    void nesterovNeedsMomentumAndNoDampeningWhateverTheSetterOrder() {
        List<Tensor> ps = params();
        SGD ok = new SGD(ps, 0.1).nesterov(true).momentum(0.9); // order does not matter
        setGrads(ps, gradSequence(0, ps));
        ok.step();
        SGD bad = new SGD(ps, 0.1).nesterov(true);
        var e = assertThrows(IllegalStateException.class, bad::step);
        assertEquals("SGD: Nesterov momentum requires momentum > 0 and dampening 0, got momentum 0.0 and dampening 0.0", e.getMessage());
        SGD damped = new SGD(ps, 0.1).momentum(0.9).dampening(0.5).nesterov(true);
        assertThrows(IllegalStateException.class, damped::step);
    }

    @Test
    void defaultsAreTorchDefaults() {
        List<Tensor> ps = params();
        Adam adam = new Adam(ps);
        assertEquals(1e-3, adam.getLr());
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.eps());
        assertEquals(0.0, adam.paramGroups().get(0).weightDecay());
        assertEquals(1e-2, new AdamW(ps).paramGroups().get(0).weightDecay());
        RMSprop rms = new RMSprop(ps);
        assertEquals(1e-2, rms.getLr());
        assertEquals(0.99, rms.alpha());
        assertEquals(1e-8, rms.eps());
        Adagrad ada = new Adagrad(ps);
        assertEquals(1e-2, ada.getLr());
        assertEquals(1e-10, ada.eps());
        assertEquals(0.0, ada.lrDecay());
    }

    // ---------------------------------------------------------------- stepping

    @Test
    void stepSkipsParametersWithoutGradientAndKeepsTheirState() {
        for (var kind : allKinds()) {
            List<Tensor> ps = params();
            Optimizer opt = kind.apply(ps);
            setGrads(ps, gradSequence(0, ps));
            opt.step();
            float[] frozen = ps.get(1).toFloatArray();
            OptimizerState before = opt.stateDict();
            ps.get(1).setGrad(null);
            opt.step();
            assertArrayEquals(frozen, ps.get(1).toFloatArray(), opt.name() + ": a parameter without gradient must not move");
            OptimizerState after = opt.stateDict();
            assertEquals(1, after.params().get(1).step(), opt.name() + ": its step count must not advance");
            assertEquals(2, after.params().get(0).step());
            for (var b : before.params().get(1).buffers().entrySet())
                assertArrayEquals(b.getValue().toFloatArray(), after.params().get(1).buffers().get(b.getKey()).toFloatArray(),
                        opt.name() + ": buffer " + b.getKey() + " must not change");
        }
    }

    @Test
    void zeroGradSetsGradientsToNullSoTheNextStepDoesNothing() {
        List<Tensor> ps = params();
        Adam adam = new Adam(ps, 0.1);
        setGrads(ps, gradSequence(0, ps));
        adam.zeroGrad();
        for (Tensor p : ps) assertNull(p.grad());
        float[][] before = values(ps);
        adam.step();
        assertArrayEquals(before, values(ps));
        assertTrue(adam.stateDict().params().isEmpty(), "no state for parameters that never had a gradient");
    }

    @Test
    void nonContiguousGradientsAreReadInLogicalOrder() {
        for (var kind : allKinds()) {
            List<Tensor> a = params(), b = params();
            Optimizer oa = kind.apply(a), ob = kind.apply(b);
            for (int s = 0; s < 3; s++) {
                float[][] g = gradSequence(s, a);
                setGrads(a, g);
                // b gets the same gradient for parameter 0 through a transposed view
                Tensor g0 = Tensor.of(g[0], 2, 3).transpose(0, 1).contiguous().transpose(0, 1);
                assertFalse(g0.isContiguous());
                b.get(0).setGrad(g0);
                b.get(1).setGrad(Tensor.of(g[1]));
                oa.step();
                ob.step();
            }
            assertArrayEquals(values(a), values(b), oa.name());
        }
    }

    @Test
    void parameterViewWithOffsetIsUpdatedInPlace() {
        float[] storage = {9f, 9f, 1f, 2f, 3f};
        Tensor whole = Tensor.wrap(storage, 5);
        Tensor p = whole.slice(0, 2, 5, 1).requiresGrad(true); // offset 2, contiguous
        assertEquals(2, p.offset());
        SGD sgd = new SGD(List.of(p), 0.5);
        p.setGrad(Tensor.of(1f, 2f, 4f));
        sgd.step();
        assertArrayEquals(new float[] {9f, 9f, 0.5f, 1f, 1f}, storage);
    }

    @Test
    void largeParametersTakeTheMultiThreadedPathWithIdenticalResults() {
        int n = Optimizer.PARALLEL_MIN_ELEMENTS + 17;
        float[] init = new float[n], grad = new float[n];
        for (int i = 0; i < n; i++) {
            init[i] = (i % 1013) / 1013f - 0.5f;
            grad[i] = (i % 977) / 977f - 0.3f;
        }
        for (var kind : allKinds()) {
            // the same elements as many small parameters (single-threaded) and as one large one
            Tensor big = Tensor.of(init).requiresGrad(true);
            List<Tensor> pieces = new ArrayList<>();
            int chunk = 100_003; // below the threshold, and not a multiple of the vector width
            for (int from = 0; from < n; from += chunk) {
                int to = Math.min(n, from + chunk);
                pieces.add(Tensor.of(java.util.Arrays.copyOfRange(init, from, to)).requiresGrad(true));
            }
            Optimizer ob = kind.apply(List.of(big)), op = kind.apply(pieces);
            for (int s = 0; s < 2; s++) {
                big.setGrad(Tensor.of(grad));
                for (int k = 0, from = 0; k < pieces.size(); k++, from += chunk)
                    pieces.get(k).setGrad(Tensor.of(java.util.Arrays.copyOfRange(grad, from, from + pieces.get(k).numel())));
                ob.step();
                op.step();
            }
            float[] joined = new float[n];
            for (int k = 0, from = 0; k < pieces.size(); k++, from += chunk)
                System.arraycopy(pieces.get(k).toFloatArray(), 0, joined, from, pieces.get(k).numel());
            assertArrayEquals(joined, big.toFloatArray(), ob.name());
        }
    }

    @Test
    void subnormalAdamMomentsAreFlushedWithoutChangingTheUpdate() {
        // The state of a parameter whose gradient has been zero for a long time: m and v subnormal.
        float tinyM = 3e-39f, tinyV = 2e-40f;
        for (double eps : new double[] {1e-8, 1e-10, 1e-12}) {
            Tensor p = Tensor.of(0.5f, -0.25f).requiresGrad(true);
            Adam adam = new Adam(List.of(p), 0.01).eps(eps);
            p.setGrad(Tensor.of(0.1f, 0.2f));
            adam.step();
            OptimizerState s = adam.stateDict();
            var ps = s.params().get(0);
            var bufs = new java.util.HashMap<>(ps.buffers());
            float[] m = bufs.get("exp_avg").toFloatArray(), v = bufs.get("exp_avg_sq").toFloatArray();
            m[1] = tinyM;
            v[1] = tinyV;
            bufs.put("exp_avg", Tensor.of(m));
            bufs.put("exp_avg_sq", Tensor.of(v));
            adam.loadStateDict(new OptimizerState("Adam", s.groups(), java.util.Map.of(0, new OptimizerState.ParamState(ps.step(), bufs))));
            p.setGrad(Tensor.of(0.1f, 0f));
            float before = p.toFloatArray()[1];
            adam.step();
            // PyTorch's rule in double: the update of element 1 is -lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
            double m2 = 0.9 * tinyM, v2 = 0.999 * tinyV, bc1 = 1 - 0.9 * 0.9, bc2 = 1 - 0.999 * 0.999;
            double expected = before - 0.01 / bc1 * m2 / (Math.sqrt(v2) / Math.sqrt(bc2) + eps);
            assertEquals(expected, p.toFloatArray()[1], Math.ulp(before), "eps " + eps);
            var after = adam.stateDict().params().get(0).buffers();
            boolean flushed = eps >= AdamKernel.FLUSH_MIN_EPS;
            assertEquals(flushed ? 0f : (float) (0.999f * tinyV), after.get("exp_avg_sq").toFloatArray()[1], "eps " + eps);
            assertEquals(flushed ? 0f : 0.9f * tinyM, after.get("exp_avg").toFloatArray()[1], "eps " + eps);
            // normal values are untouched by the flush: element 0 matches the rule exactly as above
            assertTrue(after.get("exp_avg_sq").toFloatArray()[0] > 0);
        }
    }

    // ---------------------------------------------------------------- groups and lr

    @Test
    void groupsHaveTheirOwnLrAndWeightDecay() {
        Tensor a = Tensor.of(1f).requiresGrad(true), b = Tensor.of(1f).requiresGrad(true);
        SGD sgd = new SGD(List.of(a), 0.1);
        sgd.addParamGroup(List.of(b), 0.01, 0.5);
        assertEquals(2, sgd.paramGroups().size());
        assertEquals(List.of(a, b), sgd.parameters());
        assertEquals(1, sgd.paramGroups().get(1).firstIndex());
        a.setGrad(Tensor.of(1f));
        b.setGrad(Tensor.of(1f));
        sgd.step();
        assertEquals(1f - 0.1f, a.item(), 1e-7);
        assertEquals(1f - 0.01f * (1f + 0.5f), b.item(), 1e-7);
        sgd.setLr(0.2);
        assertEquals(0.2, sgd.paramGroups().get(0).lr());
        assertEquals(0.2, sgd.paramGroups().get(1).lr());
        assertEquals(0.2, sgd.getLr());
        sgd.weightDecay(0.25); // fluent setter: every group and later ones
        assertEquals(0.25, sgd.paramGroups().get(0).weightDecay());
        assertEquals(0.25, sgd.paramGroups().get(1).weightDecay());
        Tensor c = Tensor.of(1f).requiresGrad(true);
        sgd.addParamGroup(List.of(c));
        assertEquals(0.25, sgd.paramGroups().get(2).weightDecay());
        assertEquals(0.1, sgd.paramGroups().get(2).lr(), "groups added later get the constructor's lr");
    }

    @Test
    void toStringShowsConfiguration() {
        String s = new Adam(params(), 0.01).amsgrad(true).toString();
        assertTrue(s.startsWith("Adam(betas=(0.9, 0.999), eps=1.0E-8, amsgrad, group 0: 2 params, lr=0.01"), s);
    }

    // ---------------------------------------------------------------- state dict

    @Test
    void stateDictRoundTripResumesIdentically() {
        for (var kind : allKinds()) {
            // uninterrupted: 3 steps, the lr halved (as a schedule would), 3 more steps
            List<Tensor> ref = params();
            Optimizer refOpt = kind.apply(ref);
            for (int s = 0; s < 6; s++) {
                if (s == 3) refOpt.setLr(refOpt.getLr() * 0.5);
                setGrads(ref, gradSequence(s, ref));
                refOpt.step();
            }
            // interrupted after the halving: saved, then restored into new parameters and a new optimiser
            List<Tensor> first = params();
            Optimizer firstOpt = kind.apply(first);
            for (int s = 0; s < 3; s++) {
                setGrads(first, gradSequence(s, first));
                firstOpt.step();
            }
            firstOpt.setLr(firstOpt.getLr() * 0.5);
            OptimizerState saved = firstOpt.stateDict();
            float[][] savedValues = values(first);

            List<Tensor> resumed = params();
            for (int i = 0; i < resumed.size(); i++) resumed.get(i).copyFrom(Tensor.of(savedValues[i], resumed.get(i).shape()));
            Optimizer resumedOpt = kind.apply(resumed);
            resumedOpt.loadStateDict(saved);
            assertEquals(firstOpt.getLr(), resumedOpt.getLr());
            for (int s = 3; s < 6; s++) {
                setGrads(resumed, gradSequence(s, resumed));
                resumedOpt.step();
            }
            assertArrayEquals(values(ref), values(resumed), resumedOpt.name() + ": the resumed run must be bit-identical");
            // the snapshot is a copy: stepping on did not change it
            assertEquals(3, saved.params().get(0).step());
            assertEquals(3, resumedOpt.stateDict().params().get(0).step() - 3);
        }
    }

    @Test
    void stateDictHoldsNamedBuffersShapedLikeParameters() {
        List<Tensor> ps = params();
        Adam adam = new Adam(ps, 0.01).amsgrad(true);
        setGrads(ps, gradSequence(0, ps));
        adam.step();
        OptimizerState s = adam.stateDict();
        assertEquals("Adam", s.optimizer());
        assertEquals(1, s.groups().size());
        assertArrayEquals(new int[] {0, 1}, s.groups().get(0).paramIndices());
        assertEquals(new OptimizerState.GroupState(0.01, 0.0, new int[] {0, 1}), s.groups().get(0));
        var p0 = s.params().get(0);
        assertEquals(1, p0.step());
        assertEquals(java.util.Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), p0.buffers().keySet());
        assertArrayEquals(new int[] {2, 3}, p0.buffers().get("exp_avg").shape());
        // m_1 = (1 - beta1) g
        float g00 = gradSequence(0, ps)[0][0];
        assertEquals((float) (1 - 0.9) * g00, p0.buffers().get("exp_avg").get(0, 0), 1e-7);
    }

    @Test
    void loadStateDictRejectsMismatchesNamingThem() {
        List<Tensor> ps = params();
        Adam adam = new Adam(ps);
        setGrads(ps, gradSequence(0, ps));
        adam.step();
        OptimizerState s = adam.stateDict();
        var wrongKind = assertThrows(IllegalArgumentException.class, () -> new AdamW(params()).loadStateDict(s));
        assertTrue(wrongKind.getMessage().contains("the state is of Adam, this optimiser is AdamW"), wrongKind.getMessage());
        List<Tensor> other = List.of(Tensor.zeros(3, 2).requiresGrad(true), Tensor.zeros(3).requiresGrad(true));
        Adam shapeMismatch = new Adam(other);
        var shape = assertThrows(IllegalArgumentException.class, () -> shapeMismatch.loadStateDict(s));
        assertTrue(shape.getMessage().contains("buffer 'exp_avg' of parameter 0 has shape [2, 3], the parameter has [3, 2]"), shape.getMessage());
        Adam fewer = new Adam(List.of(Tensor.zeros(2, 3).requiresGrad(true)));
        var count = assertThrows(IllegalArgumentException.class, () -> fewer.loadStateDict(s));
        assertTrue(count.getMessage().contains("group 0 has 2 parameters in the state, 1 here"), count.getMessage());
        SGD sgd = new SGD(params(), 0.1);
        var buffer = assertThrows(IllegalArgumentException.class,
                () -> sgd.loadStateDict(new OptimizerState("SGD", s.groups(), s.params())));
        assertTrue(buffer.getMessage().contains("has buffer 'exp_avg', which SGD does not use"), buffer.getMessage());
    }

    // ---------------------------------------------------------------- clipping attached to the optimiser

    @Test
    void attachedClippingRunsBeforeTheUpdate() {
        List<Tensor> a = params(), b = params();
        SGD clipped = new SGD(a, 0.1).momentum(0.9).withGradClipNorm(0.5);
        SGD manual = new SGD(b, 0.1).momentum(0.9);
        assertTrue(Double.isNaN(clipped.lastGradNorm()));
        for (int s = 0; s < 3; s++) {
            setGrads(a, gradSequence(s, a));
            setGrads(b, gradSequence(s, b));
            clipped.step();
            double norm = GradClip.clipGradNorm(b, 0.5);
            manual.step();
            assertEquals(norm, clipped.lastGradNorm());
        }
        assertArrayEquals(values(b), values(a));
    }

    @Test
    void attachedTransformsComposeInOrder() {
        List<Tensor> a = params(), b = params();
        Adam clipped = new Adam(a, 0.1).withGradClipValue(0.3).withGradClipNorm(0.4, Double.POSITIVE_INFINITY);
        Adam manual = new Adam(b, 0.1);
        setGrads(a, gradSequence(1, a));
        setGrads(b, gradSequence(1, b));
        clipped.step();
        GradClip.clipGradValue(b, 0.3);
        GradClip.clipGradNorm(b, 0.4, Double.POSITIVE_INFINITY);
        manual.step();
        assertArrayEquals(values(b), values(a));
        assertSame(clipped, clipped.withGradClipNorm(10)); // fluent, keeps the subclass type
    }

    @Test
    void zeroGradInPlaceKeepsTheBuffersAndMatchesSetToNone() {
        float[] noneResult = null;
        for (boolean setToNone : new boolean[] {true, false}) {
            dev.depth.nn.Sequential net;
            try (var scope = dev.depth.nn.Init.seed(3)) {
                net = new dev.depth.nn.Sequential(new dev.depth.nn.Linear(6, 5), new dev.depth.nn.ReLU(), new dev.depth.nn.Linear(5, 3));
            }
            Adam adam = new Adam(net.parameters(), 1e-2);
            Tensor x = Tensor.uniform(new dev.depth.tensor.Generator(4), -1f, 1f, 7, 6);
            Tensor[] firstGrads = null;
            for (int step = 0; step < 3; step++) {
                adam.zeroGrad(setToNone);
                if (!setToNone && firstGrads != null) {
                    for (int i = 0; i < firstGrads.length; i++) {
                        assertSame(firstGrads[i], net.parameters().get(i).grad(), "zeroGrad(false) keeps the gradient tensor");
                        for (float v : firstGrads[i].toFloatArray()) assertEquals(0f, v, "zeroed in place");
                    }
                }
                net.forward(x).square().sum().backward();
                if (firstGrads == null) firstGrads = net.parameters().stream().map(Tensor::grad).toArray(Tensor[]::new);
                adam.step();
            }
            float[] w = net.parameters().get(0).toFloatArray();
            if (setToNone) noneResult = w;
            else assertArrayEquals(noneResult, w, "same training either way");
        }
        // a gradient that is part of a graph is dropped, not zeroed
        Tensor p = Tensor.of(1f, 2f).requiresGrad(true);
        p.square().sum().backward(Tensor.scalar(1f), false, true);
        Tensor g = p.grad();
        assertTrue(g.requiresGrad());
        new SGD(java.util.List.of(p), 0.1).zeroGrad(false);
        assertNull(p.grad());
    }
}
