package dev.depth.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pooling fast paths against the general references, and the backward passes as adjoints. */
class Pool2dKernelsTest {
    private static final Pool2dKernels.Geometry[] CASES = {
            // planes, h, w, kh, kw, sH, sW, pH, pW
            new Pool2dKernels.Geometry(6, 8, 8, 2, 2, 2, 2, 0, 0),
            new Pool2dKernels.Geometry(3, 7, 9, 3, 2, 2, 1, 0, 0),
            new Pool2dKernels.Geometry(4, 9, 9, 3, 3, 2, 2, 1, 1),
            new Pool2dKernels.Geometry(130, 28, 28, 2, 2, 2, 2, 0, 0),
            new Pool2dKernels.Geometry(5, 9, 11, 2, 2, 1, 2, 0, 0),   // overlapping 2x2 windows, odd sizes
            new Pool2dKernels.Geometry(3, 40, 40, 2, 2, 2, 2, 0, 0)};

    static float[] random(int n, long seed) {
        var r = new Random(seed);
        float[] x = new float[n];
        // Few distinct values so that windows hold ties; some NaN.
        for (int i = 0; i < n; i++) x[i] = r.nextInt(5) - 2;
        for (int i = 0; i < n; i += 37) x[i] = Float.NaN;
        for (int i = 5; i < n; i += 41) x[i] = -0f; // ties between -0 and +0 keep the first
        return x;
    }

    @Test
    void forwardMatchesReference() {
        for (var g : CASES) {
            int outLen = g.planes() * g.oh() * g.ow();
            float[] x = random(g.planes() * g.h() * g.w(), outLen);
            float[] o1 = new float[outLen], o2 = new float[outLen];
            int[] a1 = new int[outLen], a2 = new int[outLen];
            Pool2dKernels.maxForward(g, x, o1, a1);
            Pool2dKernels.maxForwardReference(g, x, o2, a2);
            assertArrayEquals(o2, o1, "max " + g);
            assertArrayEquals(a2, a1, "argmax " + g);
            Pool2dKernels.avgForward(g, x, o1);
            Pool2dKernels.avgForwardReference(g, x, o2);
            assertArrayEquals(o2, o1, "avg " + g);
        }
    }

    /** sum(forward(x) * d) == sum(x * backward(d)) for average pooling, and max routes each gradient to its argmax. */
    @Test
    void backwardIsTheAdjoint() {
        var r = new Random(2);
        for (var g : CASES) {
            int inLen = g.planes() * g.h() * g.w(), outLen = g.planes() * g.oh() * g.ow();
            float[] x = new float[inLen], d = new float[outLen];
            for (int i = 0; i < inLen; i++) x[i] = r.nextFloat();
            for (int i = 0; i < outLen; i++) d[i] = r.nextFloat();
            float[] y = new float[outLen], dx = new float[inLen];
            Pool2dKernels.avgForward(g, x, y);
            java.util.Arrays.fill(dx, Float.NaN); // the backward passes overwrite dx, whatever it held
            Pool2dKernels.avgBackward(g, d, dx);
            double lhs = 0, rhs = 0;
            for (int i = 0; i < outLen; i++) lhs += (double) y[i] * d[i];
            for (int i = 0; i < inLen; i++) rhs += (double) x[i] * dx[i];
            assertEquals(lhs, rhs, 1e-4 * Math.abs(lhs), "avg adjoint " + g);
            int[] argmax = new int[outLen];
            Pool2dKernels.maxForward(g, x, y, argmax);
            java.util.Arrays.fill(dx, Float.NaN);
            Pool2dKernels.maxBackward(g, d, argmax, dx);
            lhs = 0;
            rhs = 0;
            for (int i = 0; i < outLen; i++) lhs += (double) y[i] * d[i];
            for (int i = 0; i < inLen; i++) rhs += (double) x[i] * dx[i];
            assertEquals(lhs, rhs, 1e-4 * Math.abs(lhs), "max adjoint " + g);
            // maxBackwardAdd adds the same scatter onto what dx holds
            float[] base = new float[inLen], added = new float[inLen];
            for (int i = 0; i < inLen; i++) base[i] = added[i] = r.nextFloat();
            Pool2dKernels.maxBackwardAdd(g, d, argmax, added);
            for (int i = 0; i < inLen; i++) assertEquals(base[i] + dx[i], added[i], 1e-6, "maxBackwardAdd " + g + " at " + i);
        }
    }
}
