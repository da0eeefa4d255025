package dev.depth.optim;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LRSchedulerTest {

    private static SGD sgd(double lr) {
        return new SGD(List.of(Tensor.zeros(2).requiresGrad(true)), lr);
    }

    private static void assertMessage(String expected, Executable e) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    @Test
    void warmupFromZeroThenCosineToTheMinimumAndStayThere() {
        SGD opt = sgd(0.8);
        WarmupCosine s = new WarmupCosine(opt, 4, 12, 0.0, 0.05);
        assertEquals(0.0, opt.getLr(), "t = 0: start factor 0");
        double[] expected = {0.0, 0.2, 0.4, 0.6, 0.8};
        for (int t = 1; t <= 4; t++) {
            s.step();
            assertEquals(expected[t], opt.getLr(), 1e-15, "warm-up, t=" + t);
        }
        for (int t = 5; t <= 12; t++) {
            s.step();
            assertEquals(0.05 + 0.75 * (1 + Math.cos(Math.PI * (t - 4) / 8)) / 2, opt.getLr(), 1e-15, "cosine, t=" + t);
        }
        assertEquals(0.05, opt.getLr(), 1e-15);
        for (int t = 13; t <= 30; t++) {
            s.step();
            assertEquals(0.05, opt.getLr(), 0.0, "after totalSteps, t=" + t);
        }
    }

    @Test
    void warmupOfZeroStepsStartsTheCosineAtOnce() {
        SGD opt = sgd(0.5);
        new WarmupCosine(opt, 0, 10);
        assertEquals(0.5, opt.getLr());
    }

    @Test
    void eachGroupFollowsTheScheduleFromItsOwnBaseRate() {
        SGD opt = sgd(0.1);
        opt.addParamGroup(List.of(Tensor.zeros(1).requiresGrad(true)), 0.03, 0);
        StepLR s = new StepLR(opt, 2, 0.1);
        s.step();
        s.step();
        assertArrayEquals(new double[] {0.1 * 0.1, 0.03 * 0.1}, s.getLastLr(), 1e-18);
        assertArrayEquals(new double[] {0.1, 0.03}, s.baseLrs());
        assertEquals(2, s.lastEpoch());
    }

    @Test
    void addingAGroupAfterCreatingTheSchedulerIsReported() {
        SGD opt = sgd(0.1);
        ExponentialLR s = new ExponentialLR(opt, 0.5);
        opt.addParamGroup(List.of(Tensor.zeros(1).requiresGrad(true)));
        var e = assertThrows(IllegalStateException.class, s::step);
        assertTrue(e.getMessage().contains("the optimizer has 2 parameter groups, the scheduler was created for 1"), e.getMessage());
    }

    @Test
    void stateDictResumesTheSchedule() {
        SGD a = sgd(0.1);
        CosineAnnealingLR sa = new CosineAnnealingLR(a, 20, 0.001);
        for (int t = 0; t < 7; t++) sa.step();
        LRScheduler.State saved = sa.stateDict();
        SGD b = sgd(0.1);
        CosineAnnealingLR sb = new CosineAnnealingLR(b, 20, 0.001);
        sb.loadStateDict(saved);
        assertEquals(a.getLr(), b.getLr(), 0.0);
        for (int t = 0; t < 5; t++) {
            sa.step();
            sb.step();
            assertEquals(a.getLr(), b.getLr(), 0.0);
        }
        assertEquals(saved, new LRScheduler.State(7, new double[] {0.1}));
    }

    @Test
    void constructorsRejectBadValuesNamingThem() {
        SGD opt = sgd(0.1);
        assertMessage("StepLR: stepSize must be >= 1, got 0", () -> new StepLR(opt, 0, 0.1));
        assertMessage("StepLR: gamma must be finite and > 0, got -0.5", () -> new StepLR(opt, 3, -0.5));
        assertMessage("ExponentialLR: gamma must be finite and > 0, got NaN", () -> new ExponentialLR(opt, Double.NaN));
        assertMessage("CosineAnnealingLR: tMax must be >= 1, got 0", () -> new CosineAnnealingLR(opt, 0));
        assertMessage("CosineAnnealingLR: etaMin must be finite and >= 0, got -1.0", () -> new CosineAnnealingLR(opt, 10, -1));
        assertMessage("WarmupCosine: warmupSteps must be >= 0, got -1", () -> new WarmupCosine(opt, -1, 10));
        assertMessage("WarmupCosine: totalSteps must be > warmupSteps (10), got 10", () -> new WarmupCosine(opt, 10, 10));
        assertMessage("WarmupCosine: startFactor must be in [0, 1], got 1.5", () -> new WarmupCosine(opt, 1, 10, 1.5, 0));
        assertMessage("WarmupCosine: minLr must be finite and >= 0, got -0.1", () -> new WarmupCosine(opt, 1, 10, 0, -0.1));
        assertEquals(0.1, opt.getLr(), "a rejected scheduler leaves the rate alone");
    }
}
