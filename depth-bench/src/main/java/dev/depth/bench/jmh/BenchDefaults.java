package dev.depth.bench.jmh;

import dev.depth.kernel.Parallel;

import java.util.SplittableRandom;

/** Settings and helpers shared by the JMH benchmarks of this package. */
public final class BenchDefaults {
    private BenchDefaults() {}

    /**
     * The JVM flags every forked benchmark JVM gets (repeated in each {@code @Fork} annotation,
     * which needs a constant): the Vector API module and the launcher's garbage collector.
     */
    public static final String[] JVM_ARGS = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms2g"};

    /** Applies a benchmark's {@code threads} parameter: 0 keeps Depth's default (all cores). */
    public static void threads(int threads) {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0: all cores), got " + threads);
        Parallel.setThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
    }

    /** {@code n} floats uniform in [-1, 1) from a fixed seed. */
    public static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** Parses "AxBxC..." into integers, naming the parameter on a malformed value. */
    public static int[] dims(String name, String value, int count) {
        String[] parts = value.split("x");
        if (parts.length != count) throw new IllegalArgumentException(name + ": expected " + count + " sizes like 128x512x784, got '" + value + "'");
        int[] d = new int[count];
        for (int i = 0; i < count; i++) {
            d[i] = Integer.parseInt(parts[i].trim());
            if (d[i] < 1) throw new IllegalArgumentException(name + ": sizes must be >= 1, got '" + value + "'");
        }
        return d;
    }
}
