package dev.depth.data;

import dev.depth.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dataset held in two tensors whose first dimension numbers the examples: features of shape
 * (n, feature dims...) and targets of shape (n, target dims...). Example {@code i} is row
 * {@code i} of each.
 *
 * <p>{@link #batch(int[], int, int)} is the fast path a {@link DataLoader} uses: it copies whole
 * rows with {@link System#arraycopy} into fresh contiguous arrays, with no per-example tensor
 * operations.
 *
 * <p>The tensors are kept without their autograd graph ({@link Tensor#detach()}) and, when already
 * contiguous, without a copy: the dataset shares their storage, so do not modify them while the
 * dataset is in use. Non-contiguous tensors are copied once, here.
 *
 * <p>Thread safety: immutable once constructed; safe to read from several threads (a loader's
 * prefetch thread and the caller) as long as nobody writes to the tensors it was built from.
 */
public final class TensorDataset implements Dataset<Example> {
    private final Tensor features; // (n, ...) contiguous
    private final Tensor targets; // (n, ...) contiguous
    private final int size;
    private final int featureRow; // elements per example in features
    private final int targetRow; // elements per example in targets

    /**
     * A dataset over {@code features} (n, ...) and {@code targets} (n, ...).
     *
     * @throws IllegalArgumentException if either tensor is a scalar or their first dimensions differ
     */
    public TensorDataset(Tensor features, Tensor targets) {
        Objects.requireNonNull(features, "TensorDataset: features is null");
        Objects.requireNonNull(targets, "TensorDataset: targets is null");
        if (features.dim() == 0)
            throw new IllegalArgumentException("TensorDataset: features must have a first dimension that numbers the examples, got a scalar");
        if (targets.dim() == 0)
            throw new IllegalArgumentException("TensorDataset: targets must have a first dimension that numbers the examples, got a scalar");
        if (features.size(0) != targets.size(0))
            throw new IllegalArgumentException("TensorDataset: features hold " + features.size(0) + " examples (shape "
                    + Arrays.toString(features.shape()) + ") but targets hold " + targets.size(0) + " (shape "
                    + Arrays.toString(targets.shape()) + "); the first dimension numbers the examples and must be equal");
        this.features = features.detach().contiguous();
        this.targets = targets.detach().contiguous();
        this.size = features.size(0);
        this.featureRow = rowSize(features.shape());
        this.targetRow = rowSize(targets.shape());
    }

    private static int rowSize(int[] shape) {
        int n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    @Override
    public int size() {
        return size;
    }

    /** The features, (n, feature dims...), sharing this dataset's storage. */
    public Tensor features() {
        return features;
    }

    /** The targets, (n, target dims...), sharing this dataset's storage. */
    public Tensor targets() {
        return targets;
    }

    /** The shape of one example's features (the features' shape without the first dimension). */
    public int[] featureShape() {
        int[] s = features.shape();
        return Arrays.copyOfRange(s, 1, s.length);
    }

    /** The shape of one example's target (the targets' shape without the first dimension). */
    public int[] targetShape() {
        int[] s = targets.shape();
        return Arrays.copyOfRange(s, 1, s.length);
    }

    /**
     * Example {@code index}: views of row {@code index} of the features and targets (no copy; do
     * not write into them).
     */
    @Override
    public Example get(int index) {
        checkIndex(index, "get");
        return new Example(features.select(0, index), targets.select(0, index));
    }

    /**
     * The examples {@code indices[from] .. indices[to-1]} as one batch, copied row by row into new
     * contiguous arrays: x of shape (to-from, feature dims...), y of shape (to-from, target
     * dims...). Cost: one {@code arraycopy} per example and tensor.
     *
     * @throws IndexOutOfBoundsException if {@code from..to} is not a range of {@code indices} or an
     *     index is not in {@code [0, size())}
     */
    public Batch batch(int[] indices, int from, int to) {
        Objects.checkFromToIndex(from, to, indices.length);
        int count = to - from;
        float[] x = new float[Math.multiplyExact(count, featureRow)];
        float[] y = new float[Math.multiplyExact(count, targetRow)];
        float[] fs = features.storage(), ts = targets.storage();
        int fo = features.offset(), to0 = targets.offset();
        for (int k = 0; k < count; k++) {
            int i = indices[from + k];
            checkIndex(i, "batch");
            System.arraycopy(fs, fo + i * featureRow, x, k * featureRow, featureRow);
            System.arraycopy(ts, to0 + i * targetRow, y, k * targetRow, targetRow);
        }
        return new Batch(Tensor.wrap(x, withFirst(count, featureShape())), Tensor.wrap(y, withFirst(count, targetShape())));
    }

    /** All of {@code indices} as one batch; see {@link #batch(int[], int, int)}. */
    public Batch batch(int... indices) {
        return batch(indices, 0, indices.length);
    }

    /** The first {@code n} examples (views, no copy); {@code n} larger than {@link #size()} is an error. */
    public TensorDataset head(int n) {
        return subset(0, n);
    }

    /** Examples {@code from .. to-1} (views, no copy). */
    public TensorDataset subset(int from, int to) {
        if (from < 0 || to < from || to > size)
            throw new IndexOutOfBoundsException("TensorDataset.subset: range [" + from + ", " + to + ") is not within the "
                    + size + " examples");
        return new TensorDataset(features.narrow(0, from, to - from), targets.narrow(0, from, to - from));
    }

    static int[] withFirst(int first, int[] rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }

    private void checkIndex(int index, String op) {
        if (index < 0 || index >= size)
            throw new IndexOutOfBoundsException("TensorDataset." + op + ": index " + index + " is out of range for "
                    + size + " examples");
    }

    @Override
    public String toString() {
        return "TensorDataset(size=" + size + ", features=" + Arrays.toString(featureShape()) + ", targets="
                + Arrays.toString(targetShape()) + ")";
    }
}
