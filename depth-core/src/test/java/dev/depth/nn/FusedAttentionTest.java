package dev.depth.nn;

import dev.depth.autograd.GradCheck;
import dev.depth.kernel.Parallel;
import dev.depth.kernel.simd.AttentionKernels;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fused scaled-dot-product attention against the composite one (matmul, maskedFill,
 * softmax, matmul), forward and the three gradients, on odd shapes, masks and strides.
 */
class FusedAttentionTest {
    private static final double RTOL = 1e-5;

    /** One comparison: sizes, batch dimensions, masking and layout. */
    record Case(int[] batch, int l, int s, int d, int dv, boolean causal, String mask, boolean permuted) {
        @Override
        public String toString() {
            return "batch " + Arrays.toString(batch) + " L=" + l + " S=" + s + " d=" + d + " dv=" + dv + (causal ? " causal" : "")
                    + (mask == null ? "" : " mask=" + mask) + (permuted ? " permuted" : "");
        }
    }

    static List<Case> cases() {
        int[] sizes = {1, 7, 17, 33, 130};
        int[] dims = {1, 5, 16, 32, 65};
        int[][] batches = {{2}, {2, 3}, {1, 2, 2}};
        List<Case> out = new ArrayList<>();
        int n = 0;
        for (int l : sizes) {
            for (int s : sizes) {
                int d = dims[n % dims.length], dv = dims[(n + 2) % dims.length];
                int[] batch = batches[n % batches.length];
                out.add(new Case(batch, l, s, d, dv, false, null, false));
                out.add(new Case(batches[(n + 1) % batches.length], l, s, dims[(n + 1) % dims.length], d, false, "padding", n % 2 == 0));
                if (s >= l) out.add(new Case(batch, l, s, dims[(n + 3) % dims.length], dv, true, null, n % 2 == 1));
                if (s >= l) out.add(new Case(batches[(n + 2) % batches.length], l, s, d, d, true, "full", true));
                n++;
            }
        }
        for (int d : dims) out.add(new Case(new int[] {3}, 17, 33, d, d, false, null, true));
        return out;
    }

    /** Leaves (…, rows, cols); permuted ones are views (…, rows, cols) of a (…, cols', rows) leaf, so strided. */
    private static Tensor[] input(Generator g, int[] batch, int rows, int cols, boolean permuted) {
        if (!permuted) {
            Tensor t = Tensor.uniform(g, -1.5f, 1.5f, concat(batch, rows, cols)).requiresGrad(true);
            return new Tensor[] {t, t};
        }
        // storage (batch..., cols + 2, rows): a narrowed, transposed view
        Tensor leaf = Tensor.uniform(g, -1.5f, 1.5f, concat(batch, cols + 2, rows)).requiresGrad(true);
        return new Tensor[] {leaf, leaf.narrow(-2, 1, cols).transpose(-2, -1)};
    }

    private static int[] concat(int[] a, int... b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** A mask with at least one key left per row: padding (batch..., 1, S) masks trailing keys; full is (L, S) random. */
    private static Tensor mask(Generator g, Case c) {
        if (c.mask() == null) return null;
        if (c.mask().equals("padding")) {
            int entries = Arrays.stream(c.batch()).reduce(1, (a, b) -> a * b);
            float[] m = new float[entries * c.s()];
            for (int b = 0; b < entries; b++) {
                int keep = 1 + g.nextInt(c.s());
                for (int j = keep; j < c.s(); j++) m[b * c.s() + j] = 1f;
            }
            return Tensor.wrap(m, concat(c.batch(), 1, c.s()));
        }
        float[] m = new float[c.l() * c.s()];
        for (int i = 0; i < c.l(); i++) for (int j = 1; j < c.s(); j++) m[i * c.s() + j] = g.nextFloat() < 0.3f ? 1f : 0f;
        return Tensor.wrap(m, c.l(), c.s());
    }

    /** The causal mask written out: query i at position S - L + i sees keys up to it. */
    private static Tensor causalByHand(int l, int s) {
        float[] m = new float[l * s];
        for (int i = 0; i < l; i++) for (int j = 0; j < s; j++) m[i * s + j] = j > s - l + i ? 1f : 0f;
        return Tensor.wrap(m, l, s);
    }

    private static Tensor[] run(Case c, boolean fused, AttentionKernels kernels) {
        Generator g = new Generator(c.l() * 1000L + c.s() * 10L + c.d());
        Tensor[] q = input(g, c.batch(), c.l(), c.d(), c.permuted());
        Tensor[] k = input(g, c.batch(), c.s(), c.d(), c.permuted());
        Tensor[] v = input(g, c.batch(), c.s(), c.dv(), false);
        Tensor mask = mask(g, c);
        Tensor upstream = Tensor.uniform(g, -1f, 1f, concat(c.batch(), c.l(), c.dv()));
        Tensor y;
        if (fused) {
            y = Attention.fused(q[1], k[1], v[1], mask, c.causal(), kernels);
        } else {
            Tensor m = mask;
            if (c.causal()) m = m == null ? causalByHand(c.l(), c.s()) : m.add(causalByHand(c.l(), c.s()));
            y = Attention.scaledDotProduct(q[1], k[1], v[1], m, false, 0f, false, null).output();
        }
        y.mul(upstream).sum().backward();
        return new Tensor[] {y.detach(), q[0].grad(), k[0].grad(), v[0].grad()};
    }

    /** |e - a| <= rtol (|e| + max |e|) + 1e-5: relative, with a floor (inputs are O(1)) for gradients that cancel to ~0 in theory (S = 1). */
    static void assertClose(String what, Tensor expected, Tensor actual, double rtol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        double scale = 0;
        for (float x : e) scale = Math.max(scale, Math.abs(x));
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - a[i]);
            if (!(err <= rtol * (Math.abs(e[i]) + scale) + 1e-5)) fail(what + ": element " + i + " expected " + e[i] + " got " + a[i] + " (scale " + scale + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fusedMatchesTheComposite(Case c) {
        Tensor[] ref = run(c, false, null), got = run(c, true, AttentionKernels.get());
        String[] names = {"output", "dq", "dk", "dv"};
        for (int i = 0; i < 4; i++) assertClose(c + " " + names[i], ref[i], got[i], RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scalarAndVectorKernelsAgree(Case c) {
        Tensor[] scalar = run(c, true, AttentionKernels.scalar()), vector = run(c, true, AttentionKernels.get());
        for (int i = 0; i < 4; i++) assertClose(c + " #" + i, scalar[i], vector[i], RTOL);
    }

    @Test
    void publicFormsUseTheFusedKernel() {
        Generator g = new Generator(5);
        Tensor q = Tensor.randn(g, 2, 5, 4), k = Tensor.randn(g, 2, 6, 4), v = Tensor.randn(g, 2, 6, 3);
        Tensor viaOutput = Attention.scaledDotProduct(q, k, v, null, true, 0.5f, false, g, false).output();
        Attention.Output withWeights = Attention.scaledDotProduct(q, k, v, null, true, 0f, false, g);
        assertNull(Attention.scaledDotProduct(q, k, v, null, true, 0f, true, g, false).weights());
        assertNotNull(withWeights.weights());
        assertClose("causal offset", withWeights.output(), Attention.scaledDotProduct(q, k, v, null, true), RTOL);
        assertClose("Output form", withWeights.output(), viaOutput, RTOL);
        assertEquals("scaledDotProduct", Attention.scaledDotProduct(q.requiresGrad(true), k, v, null, false).gradFn().name());
    }

    @Test
    void leadingDimensionsBroadcast() {
        Tensor[][] grads = new Tensor[2][];
        for (int fused = 0; fused < 2; fused++) {
            Generator g = new Generator(6);
            Tensor q = Tensor.uniform(g, -1, 1, 2, 3, 5, 4).requiresGrad(true);
            Tensor k = Tensor.uniform(g, -1, 1, 1, 3, 7, 4).requiresGrad(true);
            Tensor v = Tensor.uniform(g, -1, 1, 2, 1, 7, 6).requiresGrad(true);
            Tensor up = Tensor.uniform(g, -1, 1, 2, 3, 5, 6);
            Tensor y = fused == 1 ? Attention.scaledDotProduct(q, k, v, null, true)
                    : Attention.scaledDotProduct(q, k, v, causalByHand(5, 7), false, 0f, false, null).output();
            y.mul(up).sum().backward();
            grads[fused] = new Tensor[] {y.detach(), q.grad(), k.grad(), v.grad()};
        }
        for (int i = 0; i < 4; i++) assertClose("broadcast #" + i, grads[0][i], grads[1][i], RTOL);
    }

    @Test
    void sameResultForAnyThreadCount() {
        Case c = new Case(new int[] {4, 4}, 33, 33, 16, 16, true, "padding", true);
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor[] one = run(c, true, AttentionKernels.get());
            Parallel.setThreads(3);
            Tensor[] three = run(c, true, AttentionKernels.get());
            for (int i = 0; i < 4; i++) assertArrayEquals(one[i].toFloatArray(), three[i].toFloatArray(), "#" + i);
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void passesGradCheck() {
        Generator g = new Generator(7);
        Tensor q = Tensor.uniform(g, -1, 1, 2, 3, 4).requiresGrad(true);
        Tensor k = Tensor.uniform(g, -1, 1, 2, 5, 4).requiresGrad(true);
        Tensor v = Tensor.uniform(g, -1, 1, 2, 5, 3).requiresGrad(true);
        Tensor pad = Tensor.of(new float[][] {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}}).reshape(2, 1, 5);
        GradCheck.assertGradients("fused attention", t -> Attention.scaledDotProduct(t[0], t[1], t[2], pad, true), q, k, v);
    }

    @Test
    void aRowWithoutKeysGivesNaN() {
        Generator g = new Generator(8);
        Tensor q = Tensor.randn(g, 1, 3, 4), k = Tensor.randn(g, 1, 4, 4), v = Tensor.randn(g, 1, 4, 2);
        Tensor mask = Tensor.zeros(3, 4);
        for (int j = 0; j < 4; j++) mask.set(1f, 1, j);
        Tensor y = Attention.scaledDotProduct(q, k, v, mask, false);
        assertTrue(Float.isNaN(y.get(0, 1, 0)) && Float.isNaN(y.get(0, 1, 1)));
        assertFalse(Float.isNaN(y.get(0, 0, 0)) || Float.isNaN(y.get(0, 2, 1)));
        // more queries than keys under the causal mask: the first query sits before every key
        Tensor early = Attention.scaledDotProduct(Tensor.randn(g, 1, 5, 4), k, v, null, true);
        assertTrue(Float.isNaN(early.get(0, 0, 0)));
        assertFalse(Float.isNaN(early.get(0, 1, 0)));
    }

    @Test
    void badShapesNameTheOp() {
        Tensor q = Tensor.zeros(2, 3, 4), k = Tensor.zeros(2, 5, 4), v = Tensor.zeros(2, 5, 6);
        String[] messages = {
            assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(q, Tensor.zeros(2, 5, 3), v, null, false)).getMessage(),
            assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(q, k, Tensor.zeros(2, 4, 6), null, false)).getMessage(),
            assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(q, Tensor.zeros(3, 5, 4), Tensor.zeros(3, 5, 6), null, false)).getMessage(),
            assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(Tensor.zeros(4), k, v, null, false)).getMessage(),
            assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(q, k, v, Tensor.zeros(3, 4), false)).getMessage(),
        };
        for (String m : messages) assertTrue(m.startsWith("scaledDotProduct:"), m);
        assertTrue(messages[4].contains("[3, 4]"), messages[4]);
    }

    @Test
    void noDoubleBackward() {
        Tensor q = Tensor.ones(1, 2, 2).requiresGrad(true);
        Tensor y = Attention.scaledDotProduct(q, q, q, null, false);
        assertThrows(UnsupportedOperationException.class, () -> y.backward(Tensor.onesLike(y), true, true));
    }
}
