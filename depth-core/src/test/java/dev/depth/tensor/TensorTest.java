package dev.depth.tensor;

import dev.depth.autograd.Autograd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {
    @Test
    void creationAndAccess() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(6, t.get(1, 2));
        assertEquals(4, t.get(-1, 0));
        assertEquals(0f, Tensor.zeros(3).sum().item());
        assertEquals(12f, Tensor.full(2f, 2, 3).sum().item());
        assertArrayEquals(new float[] {0, 2, 4}, Tensor.arange(0, 5, 2).toFloatArray());
        assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toFloatArray());
        assertEquals(0, Tensor.scalar(3f).dim());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
    }

    @Test
    void randomIsSeededAndReproducible() {
        Tensor a = Tensor.randn(new Generator(5), 1000), b = Tensor.randn(new Generator(5), 1000);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertEquals(0, a.mean().item(), 0.1);
        assertEquals(1, a.var().item(), 0.15);
        Tensor u = Tensor.rand(new Generator(1), 1000);
        assertTrue(u.min().item() >= 0 && u.max().item() < 1);
    }

    @Test
    void viewsShareStorage() {
        Tensor t = Tensor.arange(12).reshape(3, 4);
        Tensor tt = t.t();
        assertFalse(tt.isContiguous());
        assertEquals(t.get(1, 2), tt.get(2, 1));
        assertSame(t.storage(), tt.storage());
        Tensor s = t.slice(1, 1, 4, 2); // columns 1 and 3
        assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11}, s.toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6, 7}, t.select(0, 1).toFloatArray());
        assertArrayEquals(new int[] {3, 1, 4}, t.unsqueeze(1).shape());
        assertArrayEquals(new int[] {3, 4}, t.unsqueeze(0).squeeze(0).shape());
        Tensor e = Tensor.of(1f, 2f).reshape(2, 1).expand(2, 3);
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, e.toFloatArray());
        assertArrayEquals(new int[] {4, 3}, tt.contiguous().shape());
        assertArrayEquals(tt.toFloatArray(), tt.contiguous().toFloatArray());
        Tensor p = Tensor.arange(24).reshape(2, 3, 4).permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertEquals(13, p.get(1, 1, 0));
        assertArrayEquals(new int[] {2, 12}, Tensor.zeros(2, 3, 4).flatten(1, 2).shape());
        assertThrows(IllegalStateException.class, () -> tt.view(12));
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, tt.reshape(12).toFloatArray());
    }

    @Test
    void broadcastingArithmetic() {
        Tensor a = Tensor.arange(6).reshape(2, 3);
        Tensor b = Tensor.of(10f, 20f, 30f);
        assertArrayEquals(new float[] {10, 21, 32, 13, 24, 35}, a.add(b).toFloatArray());
        Tensor col = Tensor.of(1f, 2f).reshape(2, 1);
        assertArrayEquals(new float[] {0, 1, 2, 6, 8, 10}, a.mul(col).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, a.t().t().toFloatArray());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, a.t().add(0f).toFloatArray());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.zeros(4)));
        assertTrue(ex.getMessage().contains("[2, 3]") && ex.getMessage().contains("[4]"), ex.getMessage());
    }

    /** Sums over a dimension add row after row, as a plain loop: the same bits, for odd sizes and large ones. */
    @Test
    void sumsOverADimensionAddRowAfterRow() {
        java.util.Random r = new java.util.Random(5);
        int[][] shapes = {{300, 130}, {128, 512}, {1, 70000}, {3, 257, 65}, {2, 5, 63}, {1023, 33}};
        for (int[] s : shapes) {
            int outer = s.length == 3 ? s[0] : 1, n = s[s.length - 2], inner = s[s.length - 1];
            float[] x = new float[outer * n * inner];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (1 + i % 7);
            float[] expected = new float[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++) {
                    float acc = x[o * n * inner + i];
                    for (int k = 1; k < n; k++) acc += x[(o * n + k) * inner + i];
                    expected[o * inner + i] = acc;
                }
            Tensor t = Tensor.of(x, s);
            assertArrayEquals(expected, t.sum(s.length - 2).toFloatArray(), "sum over dim " + (s.length - 2) + " of " + java.util.Arrays.toString(s));
        }
    }

    @Test
    void reductionsAndArgmax() {
        Tensor a = Tensor.of(new float[] {1, 5, 3, 4, 2, 6}, 2, 3);
        assertArrayEquals(new float[] {5, 7, 9}, a.sum(0).toFloatArray());
        assertArrayEquals(new float[] {9, 12}, a.sum(1).toFloatArray());
        assertArrayEquals(new int[] {2, 1}, a.sum(1, true).shape());
        assertArrayEquals(new float[] {5, 6}, a.max(1, false).toFloatArray());
        assertArrayEquals(new float[] {1, 2}, a.argmax(1, false).toFloatArray());
        assertArrayEquals(new float[] {1, 0, 1}, a.argmax(0, false).toFloatArray());
        assertEquals(3.5f, a.mean().item(), 1e-6);
        assertEquals(3.5f, a.var().item(), 1e-6);
        assertArrayEquals(new float[] {2.25f, 2.25f, 2.25f}, a.var(new int[] {0}, 0, false).toFloatArray(), 1e-6f);
    }

    @Test
    void matmulMatchesNaive() {
        Generator g = new Generator(3);
        for (int[] s : new int[][] {{1, 1, 1}, {7, 17, 3}, {17, 7, 31}, {33, 65, 9}}) {
            Tensor a = Tensor.randn(g, s[0], s[1]), b = Tensor.randn(g, s[1], s[2]);
            float[] c = a.matmul(b).toFloatArray();
            for (int i = 0; i < s[0]; i++)
                for (int j = 0; j < s[2]; j++) {
                    double acc = 0;
                    for (int k = 0; k < s[1]; k++) acc += a.get(i, k) * b.get(k, j);
                    assertEquals(acc, c[i * s[2] + j], 1e-4, "matmul " + java.util.Arrays.toString(s));
                }
            assertTrue(a.t().t().matmul(b.t().contiguous().t()).allClose(a.matmul(b), 1e-5f, 1e-5f));
        }
        assertArrayEquals(new int[] {5, 2, 3, 7}, Tensor.zeros(5, 1, 3, 4).matmul(Tensor.zeros(2, 4, 7)).shape());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 2)));
    }

    @Test
    void softmaxRowsSumToOneAndAreStable() {
        Tensor x = Tensor.of(new float[] {1000, 1001, 1002, -5, 0, 5}, 2, 3);
        Tensor s = x.softmax(1);
        assertArrayEquals(new float[] {1, 1}, s.sum(1).toFloatArray(), 1e-6f);
        assertEquals(0.66524f, s.get(0, 2), 1e-4);
        assertFalse(Float.isNaN(x.logSoftmax(1).sum().item()));
    }

    @Test
    void gradientsAccumulateAndNoGradRecordsNothing() {
        Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray());
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {5, 7, 9}, x.grad().toFloatArray());
        try (var scope = Autograd.noGrad()) {
            Tensor y = x.mul(2f);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
        }
        assertTrue(x.mul(2f).requiresGrad());
        assertFalse(x.detach().requiresGrad());
    }

    @Test
    void sharedSubexpressionsSumTheirGradients() {
        Tensor x = Tensor.of(2f).requiresGrad(true);
        Tensor y = x.mul(x);
        Tensor z = y.add(y).add(x); // 2x^2 + x
        z.sum().backward();
        assertEquals(9f, x.grad().item());
    }

    @Test
    void secondBackwardThroughFreedGraphFailsClearly() {
        Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        IllegalStateException ex = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(ex.getMessage().contains("retainGraph"), ex.getMessage());
        Tensor l2 = x.exp().sum();
        l2.backward(Tensor.scalar(1f), true, false);
        l2.backward(Tensor.scalar(1f), true, false);
    }

    @Test
    void doubleBackwardGivesSecondDerivative() {
        Tensor x = Tensor.of(0.5f, -1f).requiresGrad(true);
        Tensor y = x.pow(3f).sum();
        y.backward(Tensor.scalar(1f), true, true);
        Tensor dx = x.grad(); // 3x^2, with a graph
        x.setGrad(null);
        dx.sum().backward();
        assertArrayEquals(new float[] {3f, -6f}, x.grad().toFloatArray(), 1e-5f); // 6x
    }

    @Test
    void backwardOnNonScalarNeedsAGradient() {
        Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> x.mul(2f).backward());
        x.mul(2f).backward(Tensor.of(1f, 1f));
        assertArrayEquals(new float[] {2, 2}, x.grad().toFloatArray());
    }

    @Test
    void retainGradKeepsIntermediateGradient() {
        Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
        Tensor h = x.mul(3f).retainGrad();
        h.square().sum().backward();
        assertArrayEquals(new float[] {6, 12}, h.grad().toFloatArray());
    }

    @Test
    void indexingAndJoining() {
        Tensor t = Tensor.arange(6).reshape(3, 2);
        assertArrayEquals(new float[] {4, 5, 0, 1}, t.indexSelect(0, Tensor.of(2f, 0f)).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 5}, t.gather(1, Tensor.of(new float[][] {{1}, {0}, {1}})).toFloatArray());
        assertArrayEquals(new int[] {3, 4}, Tensor.cat(1, t, t).shape());
        assertArrayEquals(new int[] {2, 3, 2}, Tensor.stack(0, t, t).shape());
        IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class, () -> t.indexSelect(0, Tensor.of(3f)));
        assertTrue(ex.getMessage().contains("indexSelect"), ex.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> t.indexSelect(0, Tensor.of(0.5f)));
    }

    @Test
    void inPlaceWritesThroughViews() {
        Tensor t = Tensor.zeros(3, 4);
        t.t().slice(0, 1, 3).fill(5f); // columns 1 and 2
        assertArrayEquals(new float[] {0, 5, 5, 0, 0, 5, 5, 0, 0, 5, 5, 0}, t.toFloatArray());
        t.select(1, 3).copyFrom(Tensor.of(1f, 2f, 3f));
        assertArrayEquals(new float[] {0, 5, 5, 1, 0, 5, 5, 2, 0, 5, 5, 3}, t.toFloatArray());
        t.addInPlace(Tensor.of(1f, 0f, 0f, 0f));
        assertEquals(1f, t.get(2, 0));
        t.mulInPlace(2f);
        assertEquals(12f, t.get(2, 2) + t.get(0, 3));
        assertEquals(0f, t.zero().sum().item());
    }

    @Test
    void printsReadably() {
        assertEquals("tensor([[0., 1.],\n        [2., 3.]], shape=[2, 2])", Tensor.arange(4).reshape(2, 2).toString());
        assertTrue(Tensor.of(0.5f).requiresGrad(true).toString().contains("0.5000"));
        String big = Tensor.zeros(2000).toString();
        assertTrue(big.contains("...") && big.length() < 200, big);
        assertTrue(Tensor.of(1f).requiresGrad(true).mul(2f).toString().contains("gradFn=mulBackward"));
    }
}
