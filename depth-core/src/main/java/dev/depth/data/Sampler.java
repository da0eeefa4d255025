package dev.depth.data;

import dev.depth.tensor.Generator;

/**
 * Chooses which examples an epoch visits and in what order: {@link #indices(int)} gives, for
 * epoch {@code e}, the dataset indices that a {@link DataLoader} cuts into batches.
 *
 * <p>An epoch may visit a subset or repeat examples (curriculum and self-paced samplers do), and
 * its length may change from epoch to epoch. The order of epoch {@code e} must depend on the
 * sampler's configuration and {@code e} alone, never on earlier calls, so that any epoch can be
 * reproduced (and resumed) on its own.
 *
 * <p>Thread safety: {@code indices} may be called from any thread; the samplers here are
 * immutable.
 */
public interface Sampler {

    /**
     * The dataset indices that epoch {@code epoch} (0, 1, ...) visits, in order. Each call returns a
     * fresh array that the caller may modify.
     */
    int[] indices(int epoch);

    /** The number of indices of epoch {@code epoch}; by default the length of {@link #indices(int)}. */
    default int length(int epoch) {
        return indices(epoch).length;
    }

    /** Visits {@code 0, 1, ..., size-1} in order every epoch. */
    static Sampler sequential(int size) {
        return new Sequential(size);
    }

    /**
     * Visits every example once per epoch, in a random order drawn from {@code seed} and the epoch;
     * see {@link Random}.
     */
    static Sampler random(int size, long seed) {
        return new Random(size, seed);
    }

    /** The identity order, {@code 0 .. size-1}. Immutable. */
    record Sequential(int size) implements Sampler {
        public Sequential {
            if (size < 0) throw new IllegalArgumentException("Sampler.sequential: size must be >= 0, got " + size);
        }

        @Override
        public int[] indices(int epoch) {
            int[] order = new int[size];
            for (int i = 0; i < size; i++) order[i] = i;
            return order;
        }

        @Override
        public int length(int epoch) {
            return size;
        }
    }

    /**
     * A permutation of {@code 0 .. size-1} for each epoch: the identity order shuffled
     * (Fisher-Yates, {@link Generator#shuffle(int[])}) by a {@link Generator} seeded with
     * {@link #epochSeed(long, int) epochSeed(seed, epoch)}. The same seed and epoch give the same
     * order on every JVM; different epochs give independent orders. Immutable.
     */
    record Random(int size, long seed) implements Sampler {
        public Random {
            if (size < 0) throw new IllegalArgumentException("Sampler.random: size must be >= 0, got " + size);
        }

        @Override
        public int[] indices(int epoch) {
            if (epoch < 0) throw new IllegalArgumentException("Sampler.random: epoch must be >= 0, got " + epoch);
            int[] order = new Sequential(size).indices(epoch);
            new Generator(epochSeed(seed, epoch)).shuffle(order);
            return order;
        }

        @Override
        public int length(int epoch) {
            return size;
        }

        /**
         * The seed of epoch {@code epoch}'s generator: {@code b = new Generator(seed).nextLong()},
         * then the first output of {@code new Generator(b ^ epoch)}. Both steps are SplitMix64
         * outputs, so nearby seeds and epochs give unrelated orders.
         */
        public static long epochSeed(long seed, int epoch) {
            long base = new Generator(seed).nextLong();
            return new Generator(base ^ epoch).nextLong();
        }
    }
}
