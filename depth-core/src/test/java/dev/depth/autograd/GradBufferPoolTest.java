package dev.depth.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depth.nn.F;
import dev.depth.optim.Adam;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Intermediate gradient arrays that a backward pass is done with are kept and handed to the next
 * pass's accumulators, stale, to overwrite ({@link GradBufferPool}). Nothing may tell the difference
 * from new arrays of zeros: every array given back is filled with NaN here, so a read of a stale value
 * (or a write into an array something still holds) shows in the results.
 */
class GradBufferPoolTest {
    private static final boolean POISON = GradBufferPool.poison; // as the build set it for every test

    @AfterEach
    void restore() {
        GradBufferPool.enabled = true;
        GradBufferPool.poison = POISON;
        GradBufferPool.clear();
    }

    /** A model that reaches every way an intermediate gradient is made, handed on and read. */
    private static final class Net {
        final Tensor w1, b1, w2, b2, w3, x;
        final List<Tensor> params = new ArrayList<>();

        Net(long seed) {
            Generator gen = new Generator(seed);
            w1 = param(Tensor.randn(gen, 16, 9).mul(0.3f));
            b1 = param(Tensor.randn(gen, 16).mul(0.1f));
            w2 = param(Tensor.randn(gen, 16, 16).mul(0.3f));
            b2 = param(Tensor.randn(gen, 16).mul(0.1f));
            w3 = param(Tensor.randn(gen, 4, 8).mul(0.3f));
            x = param(Tensor.randn(gen, 6, 9)); // an input that requires a gradient: the first layer's dx buffer
        }

        private Tensor param(Tensor t) {
            t.requiresGrad(true);
            params.add(t);
            return t;
        }

        /**
         * Linear layers whose input gradients are buffers of the engine's own (consumed by a ReLU and a
         * tanh, then read by the layer below), a residual sum (one gradient handed to two branches), w2
         * applied twice (two accumulators into one buffer), two slices of an intermediate (the slice
         * accumulator into a buffer of the engine's own) and a retained intermediate gradient.
         */
        Tensor loss(Tensor target, List<Tensor> retained) {
            Tensor h1 = F.linearRelu(x, w1, b1);
            Tensor h2 = F.linear(h1, w2, b2).tanh();
            Tensor r = F.linear(h2, w2, null).relu().add(h2); // w2 again; the residual
            r.retainGrad();
            retained.add(r);
            Tensor left = r.slice(1, 0, 8), right = r.slice(1, 8, 16);
            Tensor y = F.linear(left, w3, null).add(F.linear(right, w3, null).mul(0.5f));
            Tensor d = y.sub(target);
            return d.mul(d).sum();
        }
    }

    /** The parameters after each of {@code steps} Adam steps, and the retained gradients. */
    /** The pool on (and poisoned) or off, and empty. */
    private static void usePool(boolean pool) {
        GradBufferPool.enabled = pool;
        GradBufferPool.poison = pool;
        GradBufferPool.clear();
    }

    private static List<float[]> train(int steps, boolean pool) {
        usePool(pool);
        Net net = new Net(3);
        Adam opt = new Adam(net.params, 1e-2);
        Generator gen = new Generator(5);
        List<float[]> out = new ArrayList<>();
        List<Tensor> retained = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            Tensor target = Tensor.randn(gen, 6, 4);
            opt.zeroGrad(false);
            net.loss(target, retained).backward();
            opt.step();
            for (Tensor p : net.params) out.add(p.toFloatArray());
        }
        for (Tensor r : retained) out.add(r.grad().toFloatArray()); // read after all the steps: none was overwritten
        return out;
    }

    /** Runs {@code training} with the pool off, then on (poisoned): the same arrays, bit for bit; returns the second run's. */
    private static List<float[]> assertPoolChangesNothing(java.util.function.Function<Boolean, List<float[]>> training, long minReused) {
        List<float[]> fresh = training.apply(false);
        long reusedBefore = GradBufferPool.reused();
        List<float[]> reused = training.apply(true);
        assertTrue(GradBufferPool.reused() - reusedBefore >= minReused, "the steps after the first took arrays from the pool");
        assertEquals(fresh.size(), reused.size());
        for (int i = 0; i < fresh.size(); i++) assertArrayEquals(fresh.get(i), reused.get(i), "array " + i);
        return reused;
    }

    @Test
    void trainingWithReusedArraysMatchesNewArraysBitForBit() {
        List<float[]> reused = assertPoolChangesNothing(pool -> train(6, pool), 5 * 3);
        for (float[] a : reused) for (float v : a) assertTrue(Float.isFinite(v), "a stale (NaN) value was read");
    }

    /**
     * A small CNN: the convolution's and the pooling layers' input gradients come from
     * {@link Autograd#gradientArray} (stale arrays of the step before, overwritten), and the linear
     * layer's from the pool too, once the pooling layer below it is done with its output gradient.
     */
    private static List<float[]> trainCnn(int steps, boolean pool) {
        usePool(pool);
        Generator gen = new Generator(9);
        Tensor c1 = Tensor.randn(gen, 3, 2, 3, 3).mul(0.3f).requiresGrad(true), b1 = Tensor.randn(gen, 3).mul(0.1f).requiresGrad(true);
        Tensor c2 = Tensor.randn(gen, 4, 3, 3, 3).mul(0.3f).requiresGrad(true);
        Tensor w = Tensor.randn(gen, 5, 4 * 2 * 2).mul(0.3f).requiresGrad(true);
        List<Tensor> params = List.of(c1, b1, c2, w);
        Adam opt = new Adam(params, 1e-2);
        int[] one = {1, 1}, two = {2, 2}, none = {0, 0};
        List<float[]> out = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            Tensor img = Tensor.randn(gen, 3, 2, 8, 8), target = Tensor.randn(gen, 3, 5);
            Tensor h = F.maxPool2d(F.conv2d(img, c1, b1, one, one, one, 1).relu(), two, two, none);
            h = F.avgPool2d(F.conv2d(h, c2, null, one, one, one, 1).tanh(), two, two, none);
            Tensor d = F.linear(h.reshape(3, -1), w, null).sub(target);
            opt.zeroGrad(false);
            d.mul(d).sum().backward();
            opt.step();
            for (Tensor p : params) out.add(p.toFloatArray());
        }
        return out;
    }

    @Test
    void aCnnTrainedWithReusedArraysMatchesNewArraysBitForBit() {
        assertPoolChangesNothing(pool -> trainCnn(5, pool), 4 * 4);
    }

    @Test
    void backwardPassesOnSeveralThreadsAtOnceMatchOneAtATime() throws Exception {
        List<float[]> alone = train(5, true);
        GradBufferPool.clear();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<float[]>>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) runs.add(pool.submit(() -> train(5, true)));
            for (Future<List<float[]>> run : runs) {
                List<float[]> got = run.get();
                for (int i = 0; i < alone.size(); i++) assertArrayEquals(alone.get(i), got.get(i), "array " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void thePoolIsBounded() {
        GradBufferPool.clear();
        float[] a = new float[10];
        GradBufferPool.give(a);
        assertEquals(0, GradBufferPool.held(), "a length never asked for is not kept");
        assertNull(GradBufferPool.take(10)); // now it has been
        GradBufferPool.give(a);
        GradBufferPool.give(a); // twice: kept once
        assertEquals(10, GradBufferPool.held());
        for (int i = 0; i < GradBufferPool.PER_LENGTH + 3; i++) GradBufferPool.give(new float[10]);
        assertEquals(10L * GradBufferPool.PER_LENGTH, GradBufferPool.held(), "at most PER_LENGTH arrays of one length");
        assertNull(GradBufferPool.take((int) GradBufferPool.MAX_FLOATS));
        GradBufferPool.give(new float[(int) GradBufferPool.MAX_FLOATS]);
        assertEquals(10L * GradBufferPool.PER_LENGTH, GradBufferPool.held(), "not beyond MAX_FLOATS in all");
        float[] taken = GradBufferPool.take(10);
        assertEquals(10, taken.length);
        assertNull(GradBufferPool.take(11), "only exact lengths");
        Autograd.releaseGradientBuffers();
        assertEquals(0, GradBufferPool.held());
        assertNull(GradBufferPool.take(10));
        GradBufferPool.give(taken);
        assertSame(taken, GradBufferPool.take(10));
        assertEquals(10, Autograd.gradientArray(10).length); // none kept: a new one
        GradBufferPool.give(taken);
        assertSame(taken, Autograd.gradientArray(10));
        GradBufferPool.enabled = false;
        GradBufferPool.give(taken);
        assertNull(GradBufferPool.take(10), "disabled: nothing kept");
    }
}
