package dev.depth.data;

import dev.depth.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A mini-batch: features {@code x} of shape (batch, feature dims...) and targets {@code y} of shape
 * (batch, target dims...), both contiguous and with the same first dimension. Class-index targets
 * are stored as integral floats, shape (batch).
 *
 * <p>Thread safety: immutable as a record. A {@link DataLoader} assembles each batch into fresh
 * arrays that nothing else references, so a training step may modify them in place.
 *
 * @param x the features, (batch, ...)
 * @param y the targets, (batch, ...)
 */
public record Batch(Tensor x, Tensor y) {
    public Batch {
        Objects.requireNonNull(x, "Batch: x (features) is null");
        Objects.requireNonNull(y, "Batch: y (targets) is null");
        if (x.dim() == 0 || y.dim() == 0 || x.size(0) != y.size(0))
            throw new IllegalArgumentException("Batch: x of shape " + Arrays.toString(x.shape()) + " and y of shape "
                    + Arrays.toString(y.shape()) + " must have the same first (batch) dimension");
    }

    /** The number of examples in the batch (the first dimension of {@code x} and {@code y}). */
    public int size() {
        return x.size(0);
    }
}
