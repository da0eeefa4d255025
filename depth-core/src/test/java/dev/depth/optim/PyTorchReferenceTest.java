package dev.depth.optim;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Optimisers, schedules and clipping against values PyTorch computed
 * ({@code src/test/python/make_optim_fixtures.py}, committed as {@code optim_fixtures.txt}).
 */
class PyTorchReferenceTest {
    /** Relative tolerance; float32 arithmetic in a slightly different order differs by a few ulps. */
    static final double RTOL = 1e-6;
    /** Absolute floor for values near zero (a few ulps of the O(1) values they came from). */
    static final double ATOL = 2e-7;

    @TestFactory
    Stream<DynamicTest> optimizers() {
        return OptimFixtures.load().optimizers().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> runOptimizerCase(c)));
    }

    static void runOptimizerCase(OptimFixtures.OptimizerCase c) {
        List<Tensor> params = OptimFixtures.params(c);
        Optimizer opt = OptimFixtures.optimizer(c, params);
        for (int s = 0; s < c.steps().size(); s++) {
            OptimFixtures.Step step = c.steps().get(s);
            setGrads(params, step.grads());
            opt.step();
            for (int i = 0; i < params.size(); i++)
                assertClose(step.expected()[i], params.get(i).toFloatArray(), c.name() + ", step " + (s + 1) + ", param " + i);
        }
    }

    static void setGrads(List<Tensor> params, float[][] grads) {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            p.setGrad(grads[i] == null ? null : Tensor.of(grads[i], p.shape()));
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e)))
                fail(what + ", element " + i + ": expected " + e + " (PyTorch), got " + a + " (difference " + (a - e) + ")");
        }
    }

    @Test
    void everyOptimizerAndOptionIsCovered() {
        Set<String> seen = new TreeSet<>();
        for (var c : OptimFixtures.load().optimizers()) {
            seen.add(c.optimizer());
            for (String k : c.options().keySet()) seen.add(c.optimizer() + "." + k);
            if (c.groups().size() > 1) seen.add(c.optimizer() + ".groups");
            if (c.groups().stream().anyMatch(g -> g.weightDecay() > 0)) seen.add(c.optimizer() + ".weight_decay");
        }
        for (String want : List.of("SGD", "SGD.momentum", "SGD.dampening", "SGD.nesterov", "SGD.maximize", "SGD.weight_decay", "SGD.groups",
                "Adam", "Adam.amsgrad", "Adam.betas", "Adam.eps", "Adam.maximize", "Adam.weight_decay", "Adam.groups",
                "AdamW", "AdamW.amsgrad", "AdamW.weight_decay", "AdamW.groups",
                "RMSprop", "RMSprop.centered", "RMSprop.momentum", "RMSprop.alpha", "RMSprop.maximize", "RMSprop.weight_decay",
                "Adagrad", "Adagrad.lr_decay", "Adagrad.initial_accumulator_value", "Adagrad.maximize", "Adagrad.weight_decay"))
            assertTrue(seen.contains(want), "no PyTorch reference case covers " + want);
        Set<String> scheds = new TreeSet<>();
        for (var c : OptimFixtures.load().schedules()) scheds.add(c.scheduler());
        assertEquals(Set.of("StepLR", "ExponentialLR", "CosineAnnealingLR", "WarmupCosine"), scheds);
    }

    @TestFactory
    Stream<DynamicTest> schedules() {
        return OptimFixtures.load().schedules().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Tensor> ps = new ArrayList<>();
            for (int i = 0; i < c.lrs().length; i++) ps.add(Tensor.zeros(1).requiresGrad(true));
            SGD opt = new SGD(List.of(ps.get(0)), c.lrs()[0]);
            for (int i = 1; i < ps.size(); i++) opt.addParamGroup(List.of(ps.get(i)), c.lrs()[i], 0);
            LRScheduler sched = OptimFixtures.scheduler(c, opt);
            for (int t = 0; t < c.expected().size(); t++) {
                if (t > 0) {
                    opt.step();
                    sched.step();
                }
                double[] want = c.expected().get(t);
                for (int g = 0; g < want.length; g++) {
                    double got = opt.paramGroups().get(g).lr();
                    assertEquals(want[g], got, 1e-12 * Math.abs(want[g]) + 1e-15, c.name() + ", t=" + t + ", group " + g);
                    assertEquals(got, sched.getLastLr()[g], 0.0);
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> clipping() {
        return OptimFixtures.load().clips().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Tensor> ps = new ArrayList<>();
            for (int i = 0; i < c.shapes().length; i++) {
                Tensor p = Tensor.zeros(c.shapes()[i]).requiresGrad(true);
                p.setGrad(c.grads()[i] == null ? null : Tensor.of(c.grads()[i], c.shapes()[i]));
                ps.add(p);
            }
            double total = GradClip.clipGradNorm(ps, c.maxNorm(), c.normType());
            assertEquals(c.total(), total, RTOL * c.total(), c.name() + ": total norm");
            for (int i = 0; i < ps.size(); i++) {
                if (c.expected()[i] == null) assertNull(ps.get(i).grad(), c.name() + ": param " + i + " had no gradient");
                else assertClose(c.expected()[i], ps.get(i).grad().toFloatArray(), c.name() + ", gradient " + i);
            }
        }));
    }
}
