package dev.depth.tensor;

/**
 * A seeded source of random numbers, passed explicitly to everything random in Depth
 * (initialisers, dropout, shuffling). The sequence is fully specified here (SplitMix64 for bits,
 * Box-Muller for normals), so the same seed gives the same numbers on every JDK.
 *
 * <p>Not thread safe: give each thread its own generator ({@link #split()}).
 */
public final class Generator {
    private long state;
    private double spareNormal;
    private boolean hasSpare;

    public Generator(long seed) {
        this.state = seed;
    }

    /** The next 64 random bits (SplitMix64). */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("Generator.nextInt: bound must be positive, got " + bound);
        return (int) (((nextLong() >>> 33) * bound) >>> 31);
    }

    /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u1 = 1.0 - nextDouble(); // (0, 1]
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** A new generator whose sequence is independent of this one's continuation. */
    public Generator split() {
        return new Generator(nextLong() ^ 0x5DEECE66DL);
    }

    /** Shuffles {@code a} in place (Fisher-Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
