package dev.depth.autograd;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Gradient arrays that a backward pass is done with, kept for the next one (see
 * {@link Autograd#backward}): an intermediate gradient the engine created itself (a linear layer's
 * input gradient, say) dies inside the pass that made it, and the next step asks for an array of
 * the same size at the same place. Taking it from here saves the allocation, and the zeroing the
 * JVM does with every new array, on the thread that runs the backward pass while the other kernel
 * threads wait. An array taken from here holds stale values: the engine hands it only to an
 * accumulator told to overwrite it ({@link Node.Accumulator}), and an op's backward function that
 * takes one ({@link Autograd#gradientArray}) writes every element.
 *
 * <p>Bounded: only lengths that have been asked for, at most {@link #PER_LENGTH} arrays of one length
 * and {@link #MAX_FLOATS} floats in all; an array beyond these bounds is left to the garbage collector.
 * Thread-safe (one lock; a backward pass takes and gives a few arrays per layer).
 */
final class GradBufferPool {
    private GradBufferPool() {}

    /** Arrays kept per length: a step of a deep network asks for a few of one size. */
    static final int PER_LENGTH = 4;
    /** Floats kept in all: 64 MiB. */
    static final long MAX_FLOATS = 16L << 20;

    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    private static long held, reused;

    /** Whether the engine uses the pool (tests compare against it off). */
    static volatile boolean enabled = !"false".equals(System.getProperty("depth.gradBufferPool"));
    /**
     * Tests: fill every array given back with NaN, so that a read of a stale value shows in the results. The
     * system property {@code depth.gradBufferPool.poison=true} sets it (the build's tests run with it).
     */
    static volatile boolean poison = Boolean.getBoolean("depth.gradBufferPool.poison");

    /**
     * An array of exactly {@code length} floats with stale contents, or null when none is kept. Asking for a
     * length is what makes the pool keep arrays of it from then on (see {@link #give}).
     */
    static synchronized float[] take(int length) {
        if (!enabled) return null;
        ArrayDeque<float[]> q = FREE.computeIfAbsent(length, k -> new ArrayDeque<>());
        float[] a = q.pollFirst();
        if (a != null) {
            held -= a.length;
            reused++;
        }
        return a;
    }

    /**
     * Keeps {@code a}, which nothing may read or write any more, for a later {@link #take}, if arrays of its
     * length have been asked for: a backward pass gives back every array of its own that dies in it, and most
     * lengths (an attention's scores, a gate's gradient) are never asked for again; keeping those would only
     * hold memory.
     */
    static void give(float[] a) {
        if (!enabled || a.length == 0) return;
        if (poison) java.util.Arrays.fill(a, Float.NaN);
        synchronized (GradBufferPool.class) {
            ArrayDeque<float[]> q = FREE.get(a.length);
            if (q == null || q.size() >= PER_LENGTH || held + a.length > MAX_FLOATS) return;
            for (float[] kept : q) if (kept == a) return; // given twice: keep it once
            q.addFirst(a);
            held += a.length;
        }
    }

    /** Drops every kept array. */
    static synchronized void clear() {
        FREE.clear();
        held = 0;
    }

    /** Arrays handed out again so far. */
    static synchronized long reused() {
        return reused;
    }

    /** Floats kept now. */
    static synchronized long held() {
        return held;
    }
}
