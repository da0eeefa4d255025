package dev.depth.optim;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradClipTest {

    private static Tensor withGrad(float... grad) {
        Tensor p = Tensor.zeros(grad.length).requiresGrad(true);
        p.setGrad(Tensor.of(grad));
        return p;
    }

    @Test
    void l2NormOfAllGradientsTogether() {
        Tensor a = withGrad(3f, 0f), b = withGrad(0f, 4f);
        double total = GradClip.clipGradNorm(List.of(a, b), 1.0);
        assertEquals(5.0, total, 1e-12);
        float c = (float) (1.0 / (5.0 + 1e-6));
        assertArrayEquals(new float[] {3f * c, 0f}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {0f, 4f * c}, b.grad().toFloatArray());
    }

    @Test
    void belowTheLimitNothingChanges() {
        Tensor a = withGrad(0.3f, -0.4f);
        Tensor g = a.grad();
        assertEquals(0.5, GradClip.clipGradNorm(List.of(a), 0.6), 1e-7);
        assertSame(g, a.grad());
        assertArrayEquals(new float[] {0.3f, -0.4f}, a.grad().toFloatArray());
    }

    @Test
    void infinityNormIsTheLargestMagnitude() {
        Tensor a = withGrad(0.5f, -2f), b = withGrad(1f);
        assertEquals(2.0, GradClip.clipGradNorm(List.of(a, b), 1.0, Double.POSITIVE_INFINITY), 0.0);
        assertEquals(-1f, a.grad().get(1), 1e-6);
    }

    @Test
    void nullGradientsAreSkippedAndAllNullGivesZero() {
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        assertEquals(0.0, GradClip.clipGradNorm(List.of(a), 1.0));
        assertNull(a.grad());
        GradClip.clipGradValue(List.of(a), 1.0);
        assertNull(a.grad());
    }

    @Test
    void nonFiniteNormPropagatesOrThrowsOnRequest() {
        Tensor a = withGrad(Float.NaN, 1f);
        assertTrue(Double.isNaN(GradClip.clipGradNorm(List.of(a), 1.0)));
        assertTrue(Float.isNaN(a.grad().get(1)), "as in PyTorch, a NaN norm poisons the gradients");
        Tensor b = withGrad(Float.POSITIVE_INFINITY, 1f);
        var e = assertThrows(IllegalStateException.class, () -> GradClip.clipGradNorm(List.of(b), 1.0, 2.0, true));
        assertTrue(e.getMessage().contains("total L2 norm of the gradients is Infinity"), e.getMessage());
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 1f}, b.grad().toFloatArray(), "unchanged when it throws");
        Tensor c = withGrad(Float.NaN, 5f);
        assertTrue(Double.isNaN(GradClip.totalNorm(List.of(c), Double.POSITIVE_INFINITY)));
    }

    @Test
    void clipByValueClampsEachElement() {
        Tensor a = withGrad(-3f, -0.5f, 0f, 0.5f, 3f, Float.NaN);
        GradClip.clipGradValue(List.of(a), 1.0);
        assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f, 1f, Float.NaN}, a.grad().toFloatArray());
    }

    @Test
    void nonContiguousGradientsAreReplacedByClippedCopies() {
        Tensor p = Tensor.zeros(3, 2).requiresGrad(true);
        Tensor shared = Tensor.of(new float[] {1f, 2f}, 1, 2);
        p.setGrad(shared.expand(3, 2)); // stride 0: scaling in place would scale shared elements three times
        double total = GradClip.clipGradNorm(List.of(p), 1.0);
        assertEquals(Math.sqrt(15), total, 1e-6);
        float c = (float) (1 / (Math.sqrt(15) + 1e-6));
        assertArrayEquals(new float[] {c, 2 * c, c, 2 * c, c, 2 * c}, p.grad().toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {1f, 2f}, shared.toFloatArray(), "the expanded source is untouched");
        Tensor q = Tensor.zeros(2, 2).requiresGrad(true);
        q.setGrad(Tensor.of(new float[] {5f, -5f}, 1, 2).expand(2, 2));
        GradClip.clipGradValue(List.of(q), 1.0);
        assertArrayEquals(new float[] {1f, -1f, 1f, -1f}, q.grad().toFloatArray());
    }

    @Test
    void argumentsAreValidated() {
        List<Tensor> ps = List.of(withGrad(1f));
        assertEquals("clipGradNorm: maxNorm must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(ps, -1)).getMessage());
        assertEquals("clipGradNorm: normType must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(ps, 1, 0)).getMessage());
        assertEquals("clipGradValue: clipValue must be >= 0, got -0.5",
                assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(ps, -0.5)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1).withGradClipNorm(Double.NaN));
    }
}
