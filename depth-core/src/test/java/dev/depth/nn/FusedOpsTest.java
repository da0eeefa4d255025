package dev.depth.nn;

import dev.depth.autograd.GradCheck;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fused ops (layer norm, the LSTM and GRU steps) against the compositions of separate ops
 * they replace: outputs and every gradient on odd shapes, double backward, and bad shapes.
 */
class FusedOpsTest {
    private static final double RTOL = 1e-5, ATOL = 2e-6;

    private static Tensor rand(long seed, int... shape) {
        return Tensor.uniform(new Generator(seed), -2f, 2f, shape).requiresGrad(true);
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertClose(what, expected, actual, ATOL);
    }

    private static void assertClose(String what, Tensor expected, Tensor actual, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++)
            assertEquals(e[i], a[i], atol + RTOL * Math.abs(e[i]), what + " at " + i);
    }

    /**
     * Runs both functions on copies of the same inputs, backpropagates the same random upstream
     * gradient through each and compares the outputs and every input's gradient.
     */
    private static void compare(String name, Function<Tensor[], Tensor> fused, Function<Tensor[], Tensor> reference, Tensor... inputs) {
        compare(name, ATOL, fused, reference, inputs);
    }

    private static void compare(String name, double atol, Function<Tensor[], Tensor> fused, Function<Tensor[], Tensor> reference, Tensor... inputs) {
        Tensor[] a = new Tensor[inputs.length], b = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            a[i] = inputs[i] == null ? null : inputs[i].detach().copy().requiresGrad(inputs[i].requiresGrad());
            b[i] = inputs[i] == null ? null : inputs[i].detach().copy().requiresGrad(inputs[i].requiresGrad());
        }
        Tensor ya = fused.apply(a), yb = reference.apply(b);
        assertClose(name + " output", yb, ya, atol);
        Tensor g = Tensor.uniform(new Generator(99), -1f, 1f, ya.shape());
        ya.backward(g);
        yb.backward(g);
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && inputs[i].requiresGrad()) assertClose(name + " grad " + i, b[i].grad(), a[i].grad(), atol);
        }
    }

    /**
     * F.linear's backward writes its products straight into the gradient buffers (its in-place
     * accumulator); against matmul + add, with leading batch dims, no bias, a non-contiguous
     * upstream gradient (through a transpose) and odd sizes.
     */
    @Test
    void linearGradientsMatchTheComposition() {
        int[][] shapes = {{1, 1, 1}, {7, 17, 9}, {33, 65, 40}, {128, 784, 512}};
        for (int[] s : shapes) {
            int rows = s[0], in = s[1], out = s[2];
            Tensor x = rand(1, rows, in), w = rand(2, out, in), b = rand(3, out);
            compare("linear " + rows + "x" + in + "x" + out, 2e-5, t -> F.linear(t[0], t[1], t[2]),
                    t -> t[0].matmul(t[1].t()).add(t[2]), x, w, b);
            compare("linear, no bias " + rows + "x" + in + "x" + out, 2e-5, t -> F.linear(t[0], t[1], null),
                    t -> t[0].matmul(t[1].t()), x, w);
        }
        Tensor x3 = rand(4, 2, 3, 5), w3 = rand(5, 6, 5), b3 = rand(6, 6);
        compare("linear, batch dims", t -> F.linear(t[0], t[1], t[2]), t -> t[0].matmul(t[1].t()).add(t[2]), x3, w3, b3);
        compare("linear, transposed upstream", t -> F.linear(t[0], t[1], t[2]).transpose(0, 1).mul(1.5f),
                t -> t[0].matmul(t[1].t()).add(t[2]).transpose(0, 1).mul(1.5f), rand(7, 4, 9), rand(8, 3, 9), rand(9, 3));
        // a second backward adds to the gradients; the input needs none
        Tensor x = rand(10, 5, 8).requiresGrad(false), w = rand(11, 4, 8), b = rand(12, 4);
        F.linear(x, w, b).sum().backward();
        float[] once = w.grad().toFloatArray(), onceB = b.grad().toFloatArray();
        F.linear(x, w, b).sum().backward();
        float[] twice = w.grad().toFloatArray(), twiceB = b.grad().toFloatArray();
        for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-5f * Math.abs(once[i]) + 1e-6f);
        for (int i = 0; i < onceB.length; i++) assertEquals(2 * onceB[i], twiceB[i], 1e-5f);
        assertNull(x.grad());
        // double backward through linear (the recorded backward, not the accumulator) against the composition
        Tensor[] outs = new Tensor[2];
        for (int k = 0; k < 2; k++) {
            Tensor xx = rand(13, 3, 4), ww = rand(14, 2, 4), bb = rand(15, 2);
            Tensor y = k == 0 ? F.linear(xx, ww, bb) : xx.matmul(ww.t()).add(bb);
            y.square().sum().backward(Tensor.scalar(1f), true, true);
            Tensor gx = xx.grad(), gw = ww.grad();
            xx.setGrad(null);
            ww.setGrad(null);
            bb.setGrad(null);
            gx.square().sum().add(gw.mul(gw).sum()).backward();
            outs[k] = Tensor.cat(0, xx.grad().reshape(-1), ww.grad().reshape(-1), bb.grad().reshape(-1));
        }
        assertClose("linear double backward", outs[1], outs[0], 1e-4);
        GradCheck.assertGradients("linear", t -> F.linear(t[0], t[1], t[2]), rand(16, 3, 5), rand(17, 4, 5), rand(18, 4));
    }

    /**
     * F.linearRelu (the ReLU clamped inside the GEMM) against linear then relu: bit-identical
     * outputs and gradients on every GEMM path (one row, few outputs, the transposed and the packed
     * path, odd sizes), the same graph, and a gradient check.
     */
    @Test
    void linearReluIsBitIdenticalToLinearThenRelu() {
        int[][] shapes = {{1, 1, 1}, {1, 9, 7}, {2, 5, 3}, {7, 17, 9}, {33, 65, 40}, {64, 31, 10}, {128, 784, 512}, {129, 257, 33}};
        for (int[] s : shapes) {
            for (boolean withBias : new boolean[] {true, false}) {
                int rows = s[0], in = s[1], out = s[2];
                Tensor x = rand(31, rows, in), w = rand(32, out, in), b = withBias ? rand(33, out) : null;
                Tensor g = Tensor.uniform(new Generator(34), -1f, 1f, rows, out);
                float[][] outs = new float[2][], grads = new float[2][];
                for (int k = 0; k < 2; k++) {
                    Tensor xa = x.detach().copy().requiresGrad(true), wa = w.detach().copy().requiresGrad(true);
                    Tensor ba = b == null ? null : b.detach().copy().requiresGrad(true);
                    Tensor y = k == 0 ? F.linearRelu(xa, wa, ba) : F.linear(xa, wa, ba).relu();
                    assertEquals("relu", y.gradFn().name());
                    assertEquals("linear", y.gradFn().inputs()[0].gradFn().name());
                    y.backward(g);
                    outs[k] = y.toFloatArray();
                    grads[k] = Tensor.cat(0, xa.grad().reshape(-1), wa.grad().reshape(-1), ba == null ? Tensor.zeros(0) : ba.grad().reshape(-1)).toFloatArray();
                }
                String what = rows + "x" + in + "x" + out + (withBias ? "" : ", no bias");
                assertArrayEquals(outs[1], outs[0], "linearRelu output " + what);
                assertArrayEquals(grads[1], grads[0], "linearRelu gradients " + what);
                for (float v : outs[0]) assertTrue(v >= 0f, "clamped");
            }
        }
        // leading batch dimensions, and no gradient wanted: an ordinary tensor with the ReLU's values
        Tensor x3 = rand(35, 2, 3, 5).requiresGrad(false), w3 = rand(36, 4, 5).requiresGrad(false), b3 = rand(37, 4).requiresGrad(false);
        Tensor y3 = F.linearRelu(x3, w3, b3);
        assertArrayEquals(new int[] {2, 3, 4}, y3.shape());
        assertArrayEquals(F.linear(x3, w3, b3).relu().toFloatArray(), y3.toFloatArray());
        assertNull(y3.gradFn());
        // on a tensor that no op clamped, reluOverClampedOpOutput is an ordinary relu
        Tensor leaf = Tensor.of(-1f, 2f).requiresGrad(true);
        assertArrayEquals(new float[] {0f, 2f}, leaf.reluOverClampedOpOutput().toFloatArray());
        assertArrayEquals(new float[] {-1f, 2f}, leaf.toFloatArray());
        GradCheck.assertGradients("linearRelu", t -> F.linearRelu(t[0], t[1], t[2]), rand(38, 3, 5), rand(39, 4, 5), rand(40, 4));
    }

    /** Sequential's in-place ReLU after Linear/Conv2d: the same outputs and gradients, bit for bit, as the layers one by one. */
    @Test
    void sequentialReluOverLayerOutputsIsBitIdentical() {
        for (boolean cnn : new boolean[] {false, true}) {
            Sequential net;
            try (var scope = Init.seed(21)) {
                net = cnn ? new Sequential(new Conv2d(2, 3, 3).padding(1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(48, 5), new ReLU(), new Linear(5, 4))
                        : new Sequential(new Linear(7, 9), new ReLU(), new Linear(9, 6), new ReLU(), new ReLU(), new Linear(6, 3));
            }
            Tensor x = cnn ? rand(22, 3, 2, 8, 8) : rand(22, 5, 7);
            Tensor g = Tensor.uniform(new Generator(23), -1f, 1f, cnn ? 3 : 5, cnn ? 4 : 3);
            float[][] grads = new float[2][];
            float[][] outs = new float[2][];
            for (int k = 0; k < 2; k++) {
                net.zeroGrad();
                x.setGrad(null);
                Tensor y = x;
                if (k == 0) y = net.forward(x);
                else for (int i = 0; i < net.size(); i++) y = net.get(i).forward(y); // one by one: no fusion
                y.backward(g);
                outs[k] = y.toFloatArray();
                java.util.List<Tensor> ts = new java.util.ArrayList<>(net.parameters());
                ts.add(x);
                grads[k] = Tensor.cat(0, ts.stream().map(t -> t.grad().reshape(-1)).toArray(Tensor[]::new)).toFloatArray();
            }
            assertArrayEquals(outs[1], outs[0], "outputs, cnn=" + cnn);
            assertArrayEquals(grads[1], grads[0], "gradients, cnn=" + cnn);
        }
        // the fusion happens: the ReLU's input (the linear output) shares the ReLU's storage
        Tensor fused = new Sequential(new Linear(3, 4), new ReLU()).forward(rand(27, 2, 3));
        assertEquals("relu", fused.gradFn().name());
        assertSame(fused.storage(), fused.gradFn().inputs()[0].storage());
        // a leaf, a view of a linear output and another op's output are left alone
        Tensor leaf = Tensor.of(-1f, 2f).requiresGrad(true);
        Tensor r = leaf.reluOverOpOutput();
        assertArrayEquals(new float[] {-1f, 2f}, leaf.toFloatArray());
        assertArrayEquals(new float[] {0f, 2f}, r.toFloatArray());
        Tensor lin = F.linear(Tensor.of(new float[] {1f, -1f}, 1, 2), Tensor.of(new float[] {1f, 0f, -1f, 0f}, 2, 2).requiresGrad(true), null);
        lin.reshape(2).reluOverOpOutput();
        assertArrayEquals(new float[] {1f, -1f}, lin.toFloatArray(), "a reshaped view of a linear output");
        Tensor sum = leaf.mul(2f);
        sum.reluOverOpOutput();
        assertArrayEquals(new float[] {-2f, 4f}, sum.toFloatArray(), "the output of an op whose backward may read it");
        Tensor own = F.linear(Tensor.of(new float[] {1f, -1f}, 1, 2), Tensor.of(new float[] {1f, 0f, -1f, 0f}, 2, 2).requiresGrad(true), null);
        assertArrayEquals(new float[] {1f, 0f}, own.reluOverOpOutput().toFloatArray());
        // double backward through the in-place ReLU
        Tensor w = rand(24, 3, 4), b = rand(25, 3), xx = rand(26, 2, 4);
        Tensor[] gg = new Tensor[2];
        for (int k = 0; k < 2; k++) {
            w.setGrad(null);
            b.setGrad(null);
            xx.setGrad(null);
            Tensor h = F.linear(xx, w, b);
            Tensor y = k == 0 ? h.reluOverOpOutput() : h.relu();
            y.square().sum().backward(Tensor.scalar(1f), true, true);
            Tensor gx = xx.grad();
            w.setGrad(null);
            b.setGrad(null);
            xx.setGrad(null);
            gx.square().sum().backward();
            gg[k] = Tensor.cat(0, w.grad().reshape(-1), xx.grad().reshape(-1));
        }
        assertClose("relu over op output, double backward", gg[1], gg[0]);
    }

    @Test
    void layerNormMatchesTheComposition() {
        int[][] shapes = {{1, 1}, {3, 7}, {2, 5, 17}, {4, 128}, {3, 1023}, {2, 3, 16}};
        for (int[] s : shapes) {
            int n = s[s.length - 1];
            for (boolean affine : new boolean[] {true, false}) {
                Tensor x = rand(s.length * 31L + n, s), w = affine ? rand(n + 1, n) : null, b = affine ? rand(n + 2, n) : null;
                compare("layerNorm " + java.util.Arrays.toString(s) + (affine ? "" : " no affine"),
                        t -> F.layerNorm(t[0], new int[] {n}, t[1], t[2], 1e-5f),
                        t -> F.layerNormComposite(t[0], 1, t[1], t[2], 1e-5f), x, w, b);
            }
        }
        // two normalised dimensions, a non-contiguous input, an input far from zero
        compare("layerNorm 2 dims", t -> F.layerNorm(t[0], new int[] {3, 5}, t[1], t[2], 1e-5f),
                t -> F.layerNormComposite(t[0], 2, t[1], t[2], 1e-5f), rand(1, 4, 3, 5), rand(2, 3, 5), rand(3, 3, 5));
        compare("layerNorm transposed", t -> F.layerNorm(t[0].transpose(0, 1), new int[] {6}, t[1], t[2], 1e-5f),
                t -> F.layerNormComposite(t[0].transpose(0, 1), 1, t[1], t[2], 1e-5f), rand(4, 6, 6), rand(5, 6), rand(6, 6));
        // at 100 +- 2, float32 rounding of the inputs themselves (ulp 7.6e-6) bounds the agreement
        compare("layerNorm offset", 1e-4, t -> F.layerNorm(t[0].add(100f), new int[] {33}, t[1], t[2], 1e-5f),
                t -> F.layerNormComposite(t[0].add(100f), 1, t[1], t[2], 1e-5f), rand(7, 5, 33), rand(8, 33), rand(9, 33));
    }

    @Test
    void layerNormGradientsOfGradientsMatchTheComposition() {
        Tensor[] outs = new Tensor[2];
        for (int k = 0; k < 2; k++) {
            Tensor x = rand(11, 3, 6), w = rand(12, 6), b = rand(13, 6);
            Tensor y = k == 0 ? F.layerNorm(x, new int[] {6}, w, b, 1e-5f) : F.layerNormComposite(x, 1, w, b, 1e-5f);
            Tensor g = Tensor.uniform(new Generator(5), -1f, 1f, 3, 6);
            y.backward(g, true, true);
            Tensor gx = x.grad(), gw = w.grad();
            x.setGrad(null);
            w.setGrad(null);
            b.setGrad(null);
            gx.square().sum().add(gw.mul(gw).sum()).backward();
            outs[k] = Tensor.cat(0, x.grad().reshape(-1), w.grad().reshape(-1));
        }
        assertClose("layerNorm double backward", outs[1], outs[0]);
    }

    @Test
    void lstmStepMatchesTheComposition() {
        for (int[] bh : new int[][] {{1, 1}, {3, 7}, {2, 17}, {5, 33}, {4, 256}}) {
            int batch = bh[0], h = bh[1];
            Tensor xp = rand(1, batch, 4 * h), hp = rand(2, batch, 4 * h), c = rand(3, batch, h);
            for (int part = 0; part < 2; part++) {
                int p = part;
                compare("lstm " + batch + "x" + h + (p == 0 ? " h" : " c"),
                        t -> LSTM.fusedStep(t[0], t[1], t[2], h)[p].mul(p + 1f).add(LSTM.fusedStep(t[0], t[1], t[2], h)[1 - p]),
                        t -> LSTM.step(t[0].add(t[1]), t[2], h)[p].mul(p + 1f).add(LSTM.step(t[0].add(t[1]), t[2], h)[1 - p]), xp, hp, c);
            }
        }
        // the cell state as a view with a row stride (half of the previous step's packed state), h and c used downstream
        Tensor xp = rand(4, 3, 20), hp = rand(5, 3, 20), packed = rand(6, 3, 10);
        compare("lstm strided state", t -> {
            Tensor[] s = LSTM.fusedStep(t[0], t[1], t[2].narrow(1, 5, 5), 5);
            return s[0].mul(s[1]).add(s[1]);
        }, t -> {
            Tensor[] s = LSTM.step(t[0].add(t[1]), t[2].narrow(1, 5, 5), 5);
            return s[0].mul(s[1]).add(s[1]);
        }, xp, hp, packed);
    }

    @Test
    void gruStepMatchesTheComposition() {
        for (int[] bh : new int[][] {{1, 1}, {3, 7}, {2, 17}, {5, 33}, {4, 256}}) {
            int batch = bh[0], h = bh[1];
            compare("gru " + batch + "x" + h, t -> GRU.fusedStep(t[0], t[1], t[2], h), t -> GRU.step(t[0], t[1], t[2], h),
                    rand(1, batch, 3 * h), rand(2, batch, 3 * h), rand(3, batch, h));
        }
        compare("gru transposed state", t -> GRU.fusedStep(t[0], t[1], t[2].t(), 4), t -> GRU.step(t[0], t[1], t[2].t(), 4),
                rand(4, 3, 12), rand(5, 3, 12), rand(6, 4, 3));
    }

    @Test
    void recurrentStepsPassTheGradientCheckIncludingDoubleBackward() {
        GradCheck.assertGradients("lstmCell", t -> {
            Tensor[] s = LSTM.fusedStep(t[0], t[1], t[2], 3);
            return s[0].add(s[1].mul(0.5f));
        }, rand(1, 2, 12), rand(2, 2, 12), rand(3, 2, 3));
        GradCheck.assertGradients("gruCell", t -> GRU.fusedStep(t[0], t[1], t[2], 3), rand(1, 2, 9), rand(2, 2, 9), rand(3, 2, 3));
        // gradients of gradients equal those of the composition
        for (boolean lstm : new boolean[] {true, false}) {
            Tensor[] outs = new Tensor[2];
            for (int k = 0; k < 2; k++) {
                Tensor xp = rand(7, 2, lstm ? 8 : 6), hp = rand(8, 2, lstm ? 8 : 6), s = rand(9, 2, 2);
                Tensor y;
                if (lstm) {
                    Tensor[] r = k == 0 ? LSTM.fusedStep(xp, hp, s, 2) : LSTM.step(xp.add(hp), s, 2);
                    y = r[0].add(r[1].mul(0.3f));
                } else {
                    y = k == 0 ? GRU.fusedStep(xp, hp, s, 2) : GRU.step(xp, hp, s, 2);
                }
                y.backward(Tensor.uniform(new Generator(5), -1f, 1f, 2, 2), true, true);
                Tensor gxp = xp.grad(), gs = s.grad();
                xp.setGrad(null);
                hp.setGrad(null);
                s.setGrad(null);
                gxp.square().sum().add(gs.square().sum()).backward();
                outs[k] = Tensor.cat(0, xp.grad().reshape(-1), hp.grad().reshape(-1), s.grad().reshape(-1));
            }
            assertClose((lstm ? "lstm" : "gru") + " double backward", outs[1], outs[0]);
        }
    }

    @Test
    void slicesAreTwiceDifferentiable() {
        Tensor x = rand(3, 2, 5);
        Tensor y = x.narrow(1, 1, 3).pow(3f).sum();
        y.backward(Tensor.scalar(1f), true, true);
        Tensor g = x.grad();
        assertTrue(g.requiresGrad(), "the gradient of a slice under createGraph must be differentiable");
        x.setGrad(null);
        g.sum().backward(); // d/dx sum(3 x^2 on the slice) = 6 x there, 0 elsewhere
        float[] xs = x.toFloatArray(), gg = x.grad().toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            int col = i % 5;
            assertEquals(col >= 1 && col <= 3 ? 6 * xs[i] : 0f, gg[i], 1e-5, "at " + i);
        }
    }

    @Test
    void badShapesNameTheOp() {
        var e = assertThrows(IllegalArgumentException.class, () -> LSTM.fusedStep(Tensor.zeros(2, 8), Tensor.zeros(2, 8), Tensor.zeros(2, 3), 2));
        assertTrue(e.getMessage().contains("lstmCell") && e.getMessage().contains("cell state"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GRU.fusedStep(Tensor.zeros(2, 6), Tensor.zeros(3, 6), Tensor.zeros(2, 2), 2));
        assertTrue(e.getMessage().contains("gruCell"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.layerNorm(Tensor.zeros(2, 6), new int[] {6}, Tensor.zeros(5), null, 1e-5f));
        assertTrue(e.getMessage().contains("layerNorm"), e.getMessage());
    }
}
