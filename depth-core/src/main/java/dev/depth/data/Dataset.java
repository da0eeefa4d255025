package dev.depth.data;

/**
 * A finite, indexable collection of examples: {@link #size()} examples, numbered
 * {@code 0 .. size()-1}, each obtained with {@link #get(int)}.
 *
 * <p>Implementations should make {@code get} cheap and free of side effects, because a
 * {@link DataLoader} calls it from its prefetch thread in an order chosen by a {@link Sampler}.
 *
 * <p>Thread safety: a dataset handed to a {@link DataLoader} is read from the loader's prefetch
 * thread while the caller's thread may read it too, so {@code get} must be safe for concurrent
 * reads; nothing else is required.
 *
 * @param <T> the type of one example, usually {@link Example}
 */
public interface Dataset<T> {

    /** The number of examples. */
    int size();

    /**
     * The example at {@code index}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     */
    T get(int index);
}
