package dev.depth.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depth.nn.F;
import dev.depth.tensor.Tensor;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Element-wise ops compute their input gradient in place over the output gradient when the backward
 * pass created that gradient and nothing else holds it ({@link Node#withConsumingBackward}). These
 * tests pin what must not change: the gradients themselves, and every tensor the caller can see.
 */
class ConsumedGradientTest {
    private static Tensor random(long seed, int... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() * 4f - 2f; // no exact zeros: ReLU's kink is not probed
        return Tensor.wrap(v, shape);
    }

    /** d/dx and d/dW of sum(c * f(x W^T)): the gradient reaching f is c * 1, a fresh array of mul's backward. */
    private static float[][] gradients(UnaryOperator<Tensor> f, boolean createGraph) {
        Tensor x = random(1, 5, 7).requiresGrad(true), w = random(2, 6, 7).requiresGrad(true), c = random(3, 5, 6);
        Tensor loss = f.apply(F.linear(x, w, null)).mul(c).sum();
        loss.backward(Tensor.full(1f), false, createGraph);
        return new float[][] {x.grad().toFloatArray(), w.grad().toFloatArray()};
    }

    @Test
    void inPlaceGradientsMatchTheRecordedBackward() {
        // createGraph records the backward from differentiable ops and never consumes a gradient
        for (var op : new Object[][] {{"relu", (UnaryOperator<Tensor>) Tensor::relu}, {"tanh", (UnaryOperator<Tensor>) Tensor::tanh},
                {"sigmoid", (UnaryOperator<Tensor>) Tensor::sigmoid}, {"exp", (UnaryOperator<Tensor>) Tensor::exp}}) {
            @SuppressWarnings("unchecked") UnaryOperator<Tensor> f = (UnaryOperator<Tensor>) op[1];
            float[][] consumed = gradients(f, false), recorded = gradients(f, true);
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < consumed[k].length; i++)
                    assertEquals(recorded[k][i], consumed[k][i], 1e-5f * Math.max(1f, Math.abs(recorded[k][i])), op[0] + " gradient " + k + " at " + i);
            }
        }
        // ReLU's mask is exact either way
        assertArrayEquals(gradients(Tensor::relu, true)[1], gradients(Tensor::relu, false)[1]);
        GradCheck.assertGradients("gelu after linear, gradient consumed", t -> F.linear(t[0], t[1], null).gelu().mul(t[2]),
                random(4, 3, 4).requiresGrad(true), random(5, 2, 4).requiresGrad(true), random(6, 3, 2));
    }

    /**
     * A residual sum hands its output gradient to both of its inputs; the activation on one branch must not
     * consume it in place, since the other branch still reads it. (Until 2026-11-27 it did: d/dx of
     * sum(c * (relu(h) + h)) came out as c * 2 * mask instead of c * (mask + 1), with no error.)
     */
    @Test
    void aGradientHandedToTwoInputsIsNotConsumedByEither() {
        for (var op : new Object[][] {{"relu", (UnaryOperator<Tensor>) Tensor::relu}, {"tanh", (UnaryOperator<Tensor>) Tensor::tanh},
                {"sigmoid", (UnaryOperator<Tensor>) Tensor::sigmoid}, {"exp", (UnaryOperator<Tensor>) Tensor::exp}}) {
            @SuppressWarnings("unchecked") UnaryOperator<Tensor> f = (UnaryOperator<Tensor>) op[1];
            float[][] got = new float[2][];
            for (int pass = 0; pass < 2; pass++) { // the engine's in-place paths, then the recorded backward
                Tensor x = random(11, 4, 5).requiresGrad(true), w = random(12, 3, 5).requiresGrad(true), c = random(13, 4, 3);
                Tensor h = F.linear(x, w, null);
                Tensor residual = pass == 0 ? f.apply(h).add(h) : h.add(f.apply(h)); // either branch processed first
                residual.mul(c).sum().backward(Tensor.full(1f), false, pass == 1);
                got[pass] = x.grad().toFloatArray();
            }
            // the same sum, differentiated by the recorded backward (createGraph never consumes)
            Tensor x = random(11, 4, 5).requiresGrad(true), w = random(12, 3, 5).requiresGrad(true), c = random(13, 4, 3);
            Tensor h = F.linear(x, w, null);
            f.apply(h).add(h).mul(c).sum().backward(Tensor.full(1f), false, true);
            float[] expected = x.grad().toFloatArray();
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < expected.length; i++)
                    assertEquals(expected[i], got[pass][i], 1e-5f * Math.max(1f, Math.abs(expected[i])), op[0] + " pass " + pass + " at " + i);
        }
        // the case as found: x a leaf, h = x * 1, d/dx of sum(c * (relu(h) + h)) = c * (mask + 1)
        Tensor x = Tensor.of(new float[] {-1f, 2f, -3f, 4f}, 4).requiresGrad(true);
        Tensor h = x.mul(Tensor.of(new float[] {1f, 1f, 1f, 1f}, 4));
        h.relu().add(h).mul(Tensor.of(new float[] {1f, 2f, 3f, 4f}, 4)).sum().backward();
        assertArrayEquals(new float[] {1f, 4f, 3f, 8f}, x.grad().toFloatArray());
    }

    @Test
    void aRetainedGradientKeepsItsValues() {
        Tensor h = random(7, 4, 3).requiresGrad(true), c = random(8, 4, 3);
        Tensor y = h.relu();
        y.retainGrad();
        y.mul(c).sum().backward();
        assertArrayEquals(c.toFloatArray(), y.grad().toFloatArray(), "dL/dy is c, not c masked by ReLU");
        float[] expected = c.toFloatArray(), hv = h.toFloatArray();
        for (int i = 0; i < expected.length; i++) if (hv[i] <= 0f) expected[i] = 0f;
        assertArrayEquals(expected, h.grad().toFloatArray());
    }

    @Test
    void aGradientSentToTwoConsumersIsNotOverwritten() {
        Tensor h = random(9, 6).requiresGrad(true), c = random(10, 6);
        Tensor y = h.relu();
        y.add(y).mul(c).sum().backward(); // add hands one gradient to both of its inputs, the same ReLU
        float[] expected = c.toFloatArray(), hv = h.toFloatArray();
        for (int i = 0; i < expected.length; i++) expected[i] = hv[i] > 0f ? 2f * expected[i] : 0f;
        assertArrayEquals(expected, h.grad().toFloatArray());
    }

    @Test
    void aTensorUsedTwiceSumsBothGradients() {
        Tensor h = random(11, 8).requiresGrad(true), c = random(12, 8);
        Tensor z = h.mul(3f);
        z.relu().mul(c).add(z.mul(c)).sum().backward(); // z's gradient: the consumed ReLU one plus c
        float[] expected = c.toFloatArray(), zv = z.toFloatArray(), cv = c.toFloatArray();
        for (int i = 0; i < expected.length; i++) expected[i] = 3f * ((zv[i] > 0f ? cv[i] : 0f) + cv[i]);
        assertArrayEquals(expected, h.grad().toFloatArray());
        assertArrayEquals(cv, c.toFloatArray(), "the caller's tensors are untouched");
    }

    @Test
    void aCallerSuppliedGradientIsNeverWritten() {
        Tensor h = random(13, 5).requiresGrad(true);
        Tensor root = random(14, 5);
        float[] before = root.toFloatArray();
        h.relu().backward(root); // the root gradient belongs to the caller
        assertArrayEquals(before, root.toFloatArray());
        h.grad().zero();
        h.mul(1f).relu().backward(root);
        assertArrayEquals(before, root.toFloatArray());
    }
}
