package dev.depth.data;

import dev.depth.kernel.Parallel;
import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;
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
 * <p><b>Byte features.</b> {@link #ofUnsignedBytes} keeps features such as 8-bit pixels as bytes,
 * a quarter of the memory of floats (Fashion-MNIST's 60,000 training images: 47 MB instead of
 * 188 MB), and decodes each value as {@code (b & 0xFF) / divisor} when a batch or an example is
 * built, the same float a decoded-up-front tensor would hold. {@link #features()} then decodes
 * all of them into a new tensor.
 *
 * <p>Thread safety: immutable once constructed; safe to read from several threads (a loader's
 * prefetch thread and the caller) as long as nobody writes to the tensors it was built from.
 */
public final class TensorDataset implements Dataset<Example> {
    private static final FloatKernels K = Simd.kernels();
    private final Tensor features; // (n, ...) contiguous; null when the features are bytes
    private final byte[] bytes; // the features as unsigned bytes (row-major from bytesOffset), or null
    private final int bytesOffset;
    private final float divisor; // a byte b is the feature (b & 0xFF) / divisor
    private final int[] featureShape; // one example's
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
        this.bytes = null;
        this.bytesOffset = 0;
        this.divisor = 1f;
        this.featureShape = Arrays.copyOfRange(features.shape(), 1, features.dim());
        this.targets = targets.detach().contiguous();
        this.size = features.size(0);
        this.featureRow = rowSize(features.shape());
        this.targetRow = rowSize(targets.shape());
    }

    private TensorDataset(byte[] bytes, int bytesOffset, float divisor, int[] featureShape, Tensor targets) {
        this.features = null;
        this.bytes = bytes;
        this.bytesOffset = bytesOffset;
        this.divisor = divisor;
        this.featureShape = featureShape.clone();
        this.targets = targets.detach().contiguous();
        this.size = targets.size(0);
        this.featureRow = rowSize(withFirst(size, featureShape));
        this.targetRow = rowSize(targets.shape());
    }

    /**
     * A dataset whose features are kept as unsigned bytes, {@code featureShape} elements per
     * example in row-major order (not copied: do not modify the array while the dataset is in
     * use), each decoded as {@code (b & 0xFF) / divisor}; {@code targets} (n, ...) as in the
     * constructor.
     *
     * @throws IllegalArgumentException if targets is a scalar, {@code divisor} is not a positive
     *     finite number, a dimension is negative, or the array does not hold n examples exactly
     */
    public static TensorDataset ofUnsignedBytes(byte[] features, float divisor, int[] featureShape, Tensor targets) {
        Objects.requireNonNull(features, "TensorDataset.ofUnsignedBytes: features is null");
        Objects.requireNonNull(targets, "TensorDataset.ofUnsignedBytes: targets is null");
        if (targets.dim() == 0)
            throw new IllegalArgumentException("TensorDataset.ofUnsignedBytes: targets must have a first dimension that numbers the examples, got a scalar");
        if (!(divisor > 0f) || Float.isInfinite(divisor))
            throw new IllegalArgumentException("TensorDataset.ofUnsignedBytes: divisor must be a positive finite number, got " + divisor);
        for (int d : featureShape)
            if (d < 0) throw new IllegalArgumentException("TensorDataset.ofUnsignedBytes: negative dimension in feature shape " + Arrays.toString(featureShape));
        long expected = (long) targets.size(0) * rowSize(withFirst(1, featureShape));
        if (features.length != expected)
            throw new IllegalArgumentException("TensorDataset.ofUnsignedBytes: " + features.length + " bytes do not hold " + targets.size(0)
                    + " examples of shape " + Arrays.toString(featureShape) + "; expected " + expected);
        return new TensorDataset(features, 0, divisor, featureShape, targets);
    }

    /** Whether the features are kept as bytes ({@link #ofUnsignedBytes}). */
    public boolean hasByteFeatures() {
        return bytes != null;
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

    /**
     * The features, (n, feature dims...), sharing this dataset's storage; for byte features
     * ({@link #hasByteFeatures()}), all of them decoded into a new tensor.
     */
    public Tensor features() {
        if (features != null) return features;
        float[] x = new float[Math.multiplyExact(size, featureRow)];
        decode(bytesOffset, x, 0, x.length);
        return Tensor.wrap(x, withFirst(size, featureShape));
    }

    /**
     * Reads one byte of every cache line of the byte rows of examples indices[i0..i1) and returns their sum,
     * before an {@link Assembly} decodes them. The rows lie at random in the dataset (47 MB for Fashion-MNIST),
     * so each starts with a miss to main memory; decoded one after the other, each row waits for its own
     * misses, while these loads are independent and the core keeps many of them in flight at once. A W2 batch
     * (128 random rows of 784 bytes) decoded in 24-25 us without this pass and 16 us with it (a probe, JDK 25,
     * 2026-11-27), on the pool worker that builds the next batch between regions, where every microsecond it
     * spends is one a region may wait for. (A method of this class rather than of {@code Assembly}, which the
     * JIT's advice leaves to C1.)
     */
    private int touch(int[] indices, int i0, int i1) {
        if (featureRow == 0) return 0;
        int sum = 0;
        for (int i = i0; i < i1; i++) {
            int base = bytesOffset + indices[i] * featureRow, end = base + featureRow;
            for (int b = base; b < end; b += 64) sum += bytes[b];
            sum += bytes[end - 1];
        }
        return sum;
    }

    /** out[o, o + n) = bytes[from, from + n) decoded. */
    private void decode(int from, float[] out, int o, int n) {
        // SIMD: the scalar loop (one division per element) took 85 us per W2 batch (128 x 784) on
        // the loader's thread, 6% of the run's CPU samples on two cores; the kernel takes 6 us.
        K.unsignedBytesToFloat(bytes, from, divisor, out, o, n);
    }

    /** The targets, (n, target dims...), sharing this dataset's storage. */
    public Tensor targets() {
        return targets;
    }

    /** The shape of one example's features (the features' shape without the first dimension). */
    public int[] featureShape() {
        return featureShape.clone();
    }

    /** The shape of one example's target (the targets' shape without the first dimension). */
    public int[] targetShape() {
        int[] s = targets.shape();
        return Arrays.copyOfRange(s, 1, s.length);
    }

    /**
     * Example {@code index}: views of row {@code index} of the features and targets (no copy; do
     * not write into them); byte features are decoded into a new tensor.
     */
    @Override
    public Example get(int index) {
        checkIndex(index, "get");
        if (features != null) return new Example(features.select(0, index), targets.select(0, index));
        float[] x = new float[featureRow];
        decode(bytesOffset + index * featureRow, x, 0, featureRow);
        return new Example(Tensor.wrap(x, featureShape.clone()), targets.select(0, index));
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
        return batch(indices, from, to, false);
    }

    /** Feature elements per thread from which {@link #batch(int[], int, int, boolean)} splits a batch. */
    static final int SPLIT_MIN = 1 << 14;

    /**
     * {@link #batch(int[], int, int)}, with the rows split over {@link Parallel}'s
     * threads when {@code split} and the batch is large: for the thread that runs the kernels
     * (DataLoader without a prefetch thread), never for a thread beside it.
     */
    Batch batch(int[] indices, int from, int to, boolean split) {
        Assembly a = assembly(indices, from, to);
        a.accept(0); // the index checks and the arrays
        int count = to - from;
        if (split && (long) count * featureRow >= 2L * SPLIT_MIN) Parallel.forRange(count, Math.max(1, SPLIT_MIN / featureRow), a::rows);
        else a.rows(0, count);
        return a.batch();
    }

    /** Examples per piece of a {@link #assembly}: 16 rows of 784 pixels decode in about 3 us. */
    static final int ASSEMBLY_ROWS = 16;

    /**
     * The batch {@link #batch(int[], int, int)} would return, built in {@link Assembly#pieces()}
     * pieces run in order: piece 0 checks the indices and allocates the arrays, each later piece
     * copies (or decodes) {@link #ASSEMBLY_ROWS} examples. A {@link DataLoader} hands them to
     * {@link Parallel#background} so that an idle pool worker builds the next batch.
     */
    Assembly assembly(int[] indices, int from, int to) {
        Objects.checkFromToIndex(from, to, indices.length);
        return new Assembly(indices, from, to);
    }

    /** See {@link #assembly}. Its pieces must run one at a time, in order; then {@link #batch()} is the batch. */
    final class Assembly implements java.util.function.IntConsumer {
        private final int[] indices;
        private final int from, count;
        private float[] x, y;

        private Assembly(int[] indices, int from, int to) {
            this.indices = indices;
            this.from = from;
            this.count = to - from;
        }

        int pieces() {
            return 1 + (count + ASSEMBLY_ROWS - 1) / ASSEMBLY_ROWS;
        }

        @Override
        public void accept(int piece) {
            if (piece == 0) {
                for (int k = from; k < from + count; k++) checkIndex(indices[k], "batch");
                x = new float[Math.multiplyExact(count, featureRow)];
                y = new float[Math.multiplyExact(count, targetRow)];
            } else {
                int k0 = (piece - 1) * ASSEMBLY_ROWS;
                rows(k0, Math.min(count, k0 + ASSEMBLY_ROWS));
            }
        }

        /** Examples indices[from + k] for k in [k0, k1) into rows k of the batch (after piece 0; ranges may run on several threads). */
        void rows(int k0, int k1) {
            float[] fs = features == null ? null : features.storage(), ts = targets.storage();
            int fo = features == null ? 0 : features.offset(), to0 = targets.offset();
            if (fs == null) touched = touch(indices, from + k0, from + k1);
            for (int k = k0; k < k1; k++) {
                int i = indices[from + k];
                if (fs != null) System.arraycopy(fs, fo + i * featureRow, x, k * featureRow, featureRow);
                else decode(bytesOffset + i * featureRow, x, k * featureRow, featureRow);
                System.arraycopy(ts, to0 + i * targetRow, y, k * targetRow, targetRow);
            }
        }

        /** What {@code touch} read, kept so that its loads are not dead code. */
        @SuppressWarnings("unused")
        private int touched;

        /** The batch, once every piece has run. */
        Batch batch() {
            if (x == null) throw new IllegalStateException("TensorDataset.Assembly: the pieces have not run");
            return new Batch(Tensor.wrap(x, withFirst(count, featureShape())), Tensor.wrap(y, withFirst(count, targetShape())));
        }
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
        if (features == null)
            return new TensorDataset(bytes, bytesOffset + from * featureRow, divisor, featureShape, targets.narrow(0, from, to - from));
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
        return "TensorDataset(size=" + size + ", features=" + Arrays.toString(featureShape) + (bytes != null ? " (bytes)" : "")
                + ", targets=" + Arrays.toString(targetShape()) + ")";
    }
}
