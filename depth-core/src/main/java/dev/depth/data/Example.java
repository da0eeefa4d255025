package dev.depth.data;

import dev.depth.tensor.Tensor;

import java.util.Objects;

/**
 * One example: its features {@code x} and its target {@code y}, without a batch dimension (for an
 * image of Fashion-MNIST, {@code x} has shape (1, 28, 28) and {@code y} shape () holding the class
 * index as a float).
 *
 * <p>Thread safety: immutable as a record; the tensors may share storage with the dataset they came
 * from (see {@link TensorDataset#get(int)}), so do not write into them.
 *
 * @param x the features, never null
 * @param y the target, never null
 */
public record Example(Tensor x, Tensor y) {
    public Example {
        Objects.requireNonNull(x, "Example: x (features) is null");
        Objects.requireNonNull(y, "Example: y (target) is null");
    }
}
