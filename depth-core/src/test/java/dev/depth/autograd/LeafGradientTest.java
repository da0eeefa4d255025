package dev.depth.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.depth.nn.F;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Leaf gradients are stored without a copy only when nothing else can see their storage. */
class LeafGradientTest {
    @Test
    void leavesSharingOneGradientGetTheirOwnArrays() {
        Tensor a = Tensor.of(1f, 2f).requiresGrad(true), b = Tensor.of(3f, 4f).requiresGrad(true);
        Tensor root = Tensor.of(1f, 1f);
        a.add(b).backward(root); // add passes the same gradient to both
        assertNotSame(a.grad().storage(), b.grad().storage());
        assertNotSame(root.storage(), a.grad().storage());
        a.grad().mulInPlace(10f);
        assertArrayEquals(new float[] {1f, 1f}, b.grad().toFloatArray());
        assertArrayEquals(new float[] {1f, 1f}, root.toFloatArray());
    }

    @Test
    void aCopiedLeafDoesNotAliasTheRootGradient() {
        Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad(true);
        Tensor root = Tensor.of(1f, 2f, 3f);
        x.copy().backward(root);
        x.copy().backward(root); // accumulates in place into the first gradient
        assertArrayEquals(new float[] {2f, 4f, 6f}, x.grad().toFloatArray());
        assertArrayEquals(new float[] {1f, 2f, 3f}, root.toFloatArray());
    }

    @Test
    void ownedGradientsAccumulateOverBackwardPasses() {
        Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3);
        Tensor w = Tensor.of(new float[] {0.5f, -1f, 2f, 1f, 0f, -0.5f}, 2, 3).requiresGrad(true);
        Tensor bias = Tensor.of(0.1f, 0.2f).requiresGrad(true);
        F.linear(x, w, bias).sum().backward();
        float[] once = w.grad().toFloatArray(), onceBias = bias.grad().toFloatArray();
        F.linear(x, w, bias).sum().backward();
        float[] twice = w.grad().toFloatArray();
        for (int i = 0; i < once.length; i++) once[i] *= 2f;
        for (int i = 0; i < onceBias.length; i++) onceBias[i] *= 2f;
        assertArrayEquals(once, twice);
        assertArrayEquals(onceBias, bias.grad().toFloatArray());
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, x.toFloatArray());
    }
}
