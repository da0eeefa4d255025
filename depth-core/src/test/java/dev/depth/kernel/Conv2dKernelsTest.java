package dev.depth.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Conv2d forward and backward against a naive direct convolution. */
class Conv2dKernelsTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static final Conv2dKernels.Geometry[] CASES = {
            // n, c, h, w, oc, kh, kw, sH, sW, pH, pW, dH, dW, groups
            new Conv2dKernels.Geometry(3, 1, 7, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),
            new Conv2dKernels.Geometry(2, 3, 9, 8, 5, 3, 2, 2, 1, 1, 0, 1, 1, 1),
            new Conv2dKernels.Geometry(2, 4, 11, 10, 6, 3, 3, 1, 2, 2, 1, 2, 1, 2),
            new Conv2dKernels.Geometry(1, 6, 5, 5, 6, 3, 3, 2, 2, 1, 1, 1, 1, 3),
            new Conv2dKernels.Geometry(3, 8, 6, 6, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1),  // pointwise
            new Conv2dKernels.Geometry(2, 4, 6, 6, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2),  // pointwise, grouped
            new Conv2dKernels.Geometry(5, 3, 13, 12, 17, 5, 4, 3, 2, 2, 3, 1, 2, 1),
            new Conv2dKernels.Geometry(4, 16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),
            new Conv2dKernels.Geometry(2, 3, 9, 10, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1),  // dilated, same size
            new Conv2dKernels.Geometry(2, 2, 8, 9, 3, 3, 1, 1, 1, 0, 0, 1, 1, 1),   // same width, not height
            new Conv2dKernels.Geometry(2, 2, 3, 3, 3, 5, 5, 1, 1, 2, 2, 1, 1, 1),   // window larger than the image
            // one input channel, oc not a multiple of 4, odd images
            new Conv2dKernels.Geometry(3, 1, 13, 11, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1),
            new Conv2dKernels.Geometry(2, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),  // W3's first layer, 2 images
            new Conv2dKernels.Geometry(2, 1, 9, 8, 5, 3, 2, 2, 1, 1, 0, 2, 1, 1),    // strided, dilated
            new Conv2dKernels.Geometry(3, 2, 7, 6, 9, 2, 2, 1, 2, 0, 1, 1, 1, 1),
            new Conv2dKernels.Geometry(1, 1, 1, 17, 1, 1, 3, 1, 1, 0, 1, 1, 1, 1)};  // one row, one channel

    static float[] random(int n, Random r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    /** out[b][o][y][x] = bias[o] + sum over the group's channels and the window, in double. */
    static double[] naiveForward(Conv2dKernels.Geometry g, float[] x, float[] w, float[] bias) {
        int oh = g.oh(), ow = g.ow(), cg = g.cPerGroup(), ocg = g.ocPerGroup();
        double[] out = new double[g.n() * g.oc() * oh * ow];
        for (int b = 0; b < g.n(); b++)
            for (int o = 0; o < g.oc(); o++)
                for (int y = 0; y < oh; y++)
                    for (int xo = 0; xo < ow; xo++) {
                        double s = bias == null ? 0 : bias[o];
                        int gr = o / ocg;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < g.kh(); i++)
                                for (int j = 0; j < g.kw(); j++) {
                                    int iy = y * g.strideH() - g.padH() + i * g.dilH(), ix = xo * g.strideW() - g.padW() + j * g.dilW();
                                    if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                                    int c = gr * cg + ci;
                                    s += (double) x[((b * g.c() + c) * g.h() + iy) * g.w() + ix] * w[((o * cg + ci) * g.kh() + i) * g.kw() + j];
                                }
                        out[((b * g.oc() + o) * oh + y) * ow + xo] = s;
                    }
        return out;
    }

    /** The gradients of sum(out * dout) with respect to x and w, by the same naive loops. */
    static double[][] naiveBackward(Conv2dKernels.Geometry g, float[] x, float[] w, float[] dout) {
        int oh = g.oh(), ow = g.ow(), cg = g.cPerGroup(), ocg = g.ocPerGroup();
        double[] dx = new double[x.length], dw = new double[w.length], db = new double[g.oc()];
        for (int b = 0; b < g.n(); b++)
            for (int o = 0; o < g.oc(); o++)
                for (int y = 0; y < oh; y++)
                    for (int xo = 0; xo < ow; xo++) {
                        double d = dout[((b * g.oc() + o) * oh + y) * ow + xo];
                        db[o] += d;
                        int gr = o / ocg;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < g.kh(); i++)
                                for (int j = 0; j < g.kw(); j++) {
                                    int iy = y * g.strideH() - g.padH() + i * g.dilH(), ix = xo * g.strideW() - g.padW() + j * g.dilW();
                                    if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                                    int xi = ((b * g.c() + gr * cg + ci) * g.h() + iy) * g.w() + ix, wi = ((o * cg + ci) * g.kh() + i) * g.kw() + j;
                                    dx[xi] += d * w[wi];
                                    dw[wi] += d * x[xi];
                                }
                    }
        return new double[][] {dx, dw, db};
    }

    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }

    @Test
    void forwardAndBackwardMatchNaiveConvolution() {
        var r = new Random(3);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (var g : CASES) {
                float[] x = random(g.n() * g.c() * g.h() * g.w(), r), w = random(g.oc() * g.colRows(), r), bias = random(g.oc(), r);
                int outLen = g.n() * g.oc() * g.oh() * g.ow();
                float[] out = random(outLen, r), dout = random(outLen, r);
                String what = g + " threads=" + threads;
                Conv2dKernels.forward(g, x, w, bias, out);
                assertClose(naiveForward(g, x, w, bias), out, 1e-4, "forward " + what);
                Conv2dKernels.forward(g, x, w, null, out);
                assertClose(naiveForward(g, x, w, null), out, 1e-4, "forward without bias " + what);
                double[][] expected = naiveBackward(g, x, w, dout);
                float[] dx = random(x.length, r), dw = random(w.length, r), db = random(g.oc(), r); // overwritten
                Conv2dKernels.backwardInput(g, dout, w, dx);
                Conv2dKernels.backwardWeight(g, x, dout, dw);
                Conv2dKernels.backwardBias(g, dout, db);
                assertClose(expected[0], dx, 1e-4, "backwardInput " + what);
                assertClose(expected[1], dw, 1e-4, "backwardWeight " + what);
                assertClose(expected[2], db, 1e-4, "backwardBias " + what);
            }
        }
    }

    @Test
    void resultsAreBitIdenticalRunToRun() {
        var g = new Conv2dKernels.Geometry(9, 8, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var r = new Random(5);
        float[] x = random(g.n() * g.c() * g.h() * g.w(), r), w = random(g.oc() * g.colRows(), r), bias = random(g.oc(), r);
        float[] dout = random(g.n() * g.oc() * g.oh() * g.ow(), r);
        float[][] first = null;
        for (int threads : new int[] {2, 2, 1, 1}) {
            Parallel.setThreads(threads);
            float[] out = new float[dout.length], dx = new float[x.length], dw = new float[w.length], db = new float[g.oc()];
            Conv2dKernels.forward(g, x, w, bias, out);
            Conv2dKernels.backwardInput(g, dout, w, dx);
            Conv2dKernels.backwardWeight(g, x, dout, dw);
            Conv2dKernels.backwardBias(g, dout, db);
            float[][] now = {out, dx, dw, db};
            if (first == null) first = now;
            // forward, backwardInput and backwardBias do not depend on the thread count; the weight
            // gradient does (one partial sum per thread), so it is compared at the same count only.
            assertArrayEquals(first[0], now[0], "forward, threads=" + threads);
            assertArrayEquals(first[1], now[1], "backwardInput, threads=" + threads);
            assertArrayEquals(first[3], now[3], "backwardBias, threads=" + threads);
            if (threads == 2) assertArrayEquals(first[2], now[2], "backwardWeight, threads=" + threads);
        }
    }
}
