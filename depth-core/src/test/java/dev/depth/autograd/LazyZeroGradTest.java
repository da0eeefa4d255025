package dev.depth.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depth.nn.F;
import dev.depth.optim.Adam;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * zeroGrad(false) on a gradient only the framework holds only marks it zero; the next backward
 * pass writes it instead of adding into it. Nothing may tell the difference from zeroing at once.
 */
class LazyZeroGradTest {
    /** A small model that reaches every way a leaf's gradient is written (see {@link #loss}). */
    private static final class Net {
        final Tensor w1, b1, w2, b2, cw, cb, s, u, v, x;
        final List<Tensor> params = new ArrayList<>();
        final boolean conv;

        Net(long seed, boolean conv) {
            this.conv = conv;
            Generator gen = new Generator(seed);
            w1 = param(Tensor.randn(gen, 17, 7).mul(0.3f));
            b1 = param(Tensor.randn(gen, 17).mul(0.1f));
            w2 = param(Tensor.randn(gen, 3, 17).mul(0.3f));
            b2 = param(Tensor.randn(gen, 3).mul(0.1f));
            cw = param(Tensor.randn(gen, 2, 1, 3, 3).mul(0.3f));
            cb = param(Tensor.randn(gen, 2).mul(0.1f));
            s = param(Tensor.randn(gen, 4));
            u = param(Tensor.randn(gen, 5));
            v = param(Tensor.randn(gen, 5));
            x = param(Tensor.randn(gen, 5, 7)); // an input that requires a gradient: the linear's dx buffer
        }

        private Tensor param(Tensor t) {
            t.requiresGrad(true);
            params.add(t);
            return t;
        }

        /**
         * The linear layers' accumulators (dx, dW, the bias), w2 used twice on even steps (two
         * accumulators into one buffer), a convolution (its backward's own arrays, stored as they
         * are), a slice (the slice accumulator; s unused on steps 1, 4, ...) and one gradient passed
         * to two leaves (copied into their buffers).
         */
        Tensor loss(int step, Tensor img) {
            Tensor h = F.linearRelu(x, w1, b1);
            Tensor y = F.linear(h, w2, b2);
            Tensor total = y.mul(y).sum();
            if (step % 2 == 0) total = total.add(F.linear(h, w2, null).sum());
            if (conv) {
                Tensor c = F.conv2d(img, cw, cb, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
                total = total.add(c.mul(c).sum());
            }
            if (step % 3 != 1) total = total.add(s.slice(0, 1, 3).sum().mul(2f));
            return total.add(u.add(v).mul(0.5f).sum());
        }
    }

    @Test
    void trainingWithLazyZeroingMatchesZeroingAtOnceBitForBit() {
        Net lazy = new Net(7, true), eager = new Net(7, true);
        Adam lazyOpt = new Adam(lazy.params, 1e-2), eagerOpt = new Adam(eager.params, 1e-2);
        Generator gen = new Generator(11);
        for (int step = 0; step < 7; step++) {
            Tensor img = Tensor.randn(gen, 2, 1, 5, 6);
            lazyOpt.zeroGrad(false);
            eagerOpt.zeroGrad(false);
            for (int k = 0; k < passes(step); k++) {
                lazy.loss(step, img).backward();
                eager.loss(step, img).backward();
            }
            for (Tensor p : eager.params) p.grad(); // handed out: these are zeroed at once from now on
            lazyOpt.step();
            eagerOpt.step();
            poison(lazy);
        }
        for (int i = 0; i < lazy.params.size(); i++) {
            assertArrayEquals(eager.params.get(i).toFloatArray(), lazy.params.get(i).toFloatArray(), "parameter " + i);
        }
    }

    /** Gradients accumulated over two passes on step 3. */
    private static int passes(int step) {
        return step == 3 ? 2 : 1;
    }

    /** Stale values in the lazily zeroed buffers must never be read as a gradient. */
    private static void poison(Net net) {
        for (Tensor p : net.params) if (p.peekGrad() != null) Arrays.fill(p.peekGrad().storage(), Float.NaN);
    }

    @Test
    void lazilyZeroedBuffersGetTheGradientsOfTheOpsBackwardFunctions() {
        // the reference's gradients come from the ops' backward functions (a createGraph pass, which
        // the convolution does not support), not from the accumulators that write into kept buffers
        Net lazy = new Net(5, false), graph = new Net(5, false);
        Adam lazyOpt = new Adam(lazy.params, 1e-2), graphOpt = new Adam(graph.params, 1e-2);
        for (int step = 0; step < 7; step++) {
            lazyOpt.zeroGrad(false);
            graphOpt.zeroGrad(false);
            for (int k = 0; k < passes(step); k++) {
                lazy.loss(step, null).backward();
                graph.loss(step, null).backward(Tensor.scalar(1f), false, true);
            }
            for (int i = 0; i < lazy.params.size(); i++) {
                Tensor reference = graph.params.get(i).grad(), got = lazy.params.get(i).peekGrad();
                if (reference == null && got == null) continue; // never used (the convolution's)
                // a parameter unused in this step (s on step 1): no gradient there, zeros here
                float[] expected = reference == null ? new float[got.numel()] : reference.toFloatArray(), actual = got.toFloatArray();
                for (int j = 0; j < expected.length; j++)
                    assertEquals(expected[j], actual[j], 1e-5f * (1 + Math.abs(expected[j])), "step " + step + ", parameter " + i + "[" + j + "]");
            }
            lazyOpt.step();
            graphOpt.step();
            poison(lazy);
        }
    }

    @Test
    void aLazilyZeroedGradientReadsAsZerosInItsOwnBuffer() {
        Net net = new Net(3, true);
        net.loss(0, Tensor.zeros(1, 1, 4, 4)).backward();
        float[] buffer = net.w1.peekGrad().storage();
        Adam opt = new Adam(net.params, 1e-3);
        opt.zeroGrad(false);
        Tensor g = net.w1.grad();
        assertSame(buffer, g.storage());
        assertArrayEquals(new float[17 * 7], g.toFloatArray());
        opt.zeroGrad(true);
        assertNull(net.w1.grad());
    }

    @Test
    void aGradientHandedOutIsZeroedAtOnceWithItsViews() {
        Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3);
        Tensor w = Tensor.of(new float[] {0.5f, -1f, 2f, 1f, 0f, -0.5f}, 2, 3).requiresGrad(true);
        F.linear(x, w, null).sum().backward();
        Tensor held = w.grad(), view = held.reshape(6);
        Autograd.clearGrad(w, false);
        assertArrayEquals(new float[6], view.toFloatArray());
        F.linear(x, w, null).sum().backward(); // adds into the zeros the holder sees
        assertArrayEquals(new float[] {5f, 7f, 9f, 5f, 7f, 9f}, view.toFloatArray());
        assertSame(held, w.grad());
    }

    @Test
    void aGradientSetFromOutsideIsZeroedAtOnce() {
        Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
        Tensor g = Tensor.of(3f, 4f);
        w.setGrad(g);
        w.clearGrad(false);
        assertArrayEquals(new float[2], g.toFloatArray());
        assertFalse(w.claimGradOverwrite());
    }

    @Test
    void theMarkIsTakenOnceAndDroppedWithTheGradient() {
        Tensor x = Tensor.of(new float[] {1f, 2f}, 1, 2);
        Tensor w = Tensor.of(new float[] {1f, 1f}, 1, 2).requiresGrad(true);
        F.linear(x, w, null).sum().backward();
        w.clearGrad(false);
        assertTrue(w.claimGradOverwrite());
        assertFalse(w.claimGradOverwrite());
        w.clearGrad(false);
        w.clearGrad(true);
        assertFalse(w.claimGradOverwrite());
        assertNull(w.peekGrad());
    }
}
