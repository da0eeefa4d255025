package dev.depth.optim;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every optimiser, with autograd's gradients, fits a small least-squares problem. */
class TrainingTest {

    private static double train(Function<List<Tensor>, Optimizer> make, boolean withSchedule) {
        Generator gen = new Generator(42);
        Tensor x = Tensor.randn(gen, 64, 4);
        Tensor wTrue = Tensor.of(new float[] {1.5f, -2f, 0.5f, 3f}, 4, 1);
        Tensor y = x.matmul(wTrue).add(0.7f);
        Tensor w = Tensor.zeros(4, 1).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        Optimizer opt = make.apply(List.of(w, b));
        LRScheduler schedule = withSchedule ? new WarmupCosine(opt, 20, 400, 0.0, 0.0) : null;
        double first = Double.NaN, last = Double.NaN;
        for (int it = 0; it < 400; it++) {
            Tensor loss = x.matmul(w).add(b).sub(y).square().mean();
            if (it == 0) first = loss.item();
            last = loss.item();
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (schedule != null) schedule.step();
        }
        assertTrue(last < first * 1e-2, opt + ": loss " + first + " -> " + last);
        return last;
    }

    @Test
    void everyOptimizerFitsLeastSquares() {
        train(ps -> new SGD(ps, 0.05), false);
        train(ps -> new SGD(ps, 0.02).momentum(0.9).nesterov(true), false);
        train(ps -> new Adam(ps, 0.05), false);
        train(ps -> new AdamW(ps, 0.05).weightDecay(1e-4).amsgrad(true), false);
        train(ps -> new RMSprop(ps, 0.01).centered(true), false);
        train(ps -> new Adagrad(ps, 0.5), false);
    }

    @Test
    void withWarmupCosineAndClipping() {
        train(ps -> new AdamW(ps, 0.1).weightDecay(1e-4).withGradClipNorm(1.0), true);
        train(ps -> new SGD(ps, 0.05).momentum(0.9).withGradClipValue(5.0), true);
    }
}
