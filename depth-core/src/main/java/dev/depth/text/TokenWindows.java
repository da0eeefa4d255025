package dev.depth.text;

import dev.depth.data.Batch;
import dev.depth.data.Dataset;
import dev.depth.data.Example;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;

/**
 * Fixed-length windows over a token stream, for next-token language modelling: example {@code i}
 * starts at {@code s = i * stride} and has
 * <pre>
 *   x = tokens[s .. s+length)        shape (length), the input ids
 *   y = tokens[s+1 .. s+length+1)    shape (length), the next id at each position
 * </pre>
 * both as integral floats. There are {@code (n - length - 1) / stride + 1} windows over {@code n}
 * tokens (none when {@code n < length + 1}); the last one is the last that fits whole, so up to
 * {@code stride - 1} tokens at the end may be in no window. With {@code stride == length} the
 * inputs tile the stream without overlap (the usual choice for evaluation); a smaller stride gives
 * overlapping windows.
 *
 * <p>A {@link dev.depth.data.DataLoader} over this dataset gives batches x (batch, length) and y
 * (batch, length). For training, {@link #randomBatch(Generator, int)} and
 * {@link #randomBatches(long, int)} instead draw windows at any start offset (not only multiples
 * of the stride), as char-RNN and nanoGPT-style training do. {@link #split(int[], double)} keeps the
 * last part of a stream for validation.
 *
 * <p>{@link #get(int)} returns views of the stream's tensor (no copy; do not write into them).
 *
 * <p>Thread safety: immutable; {@code get} and {@code randomBatch} may be called from several
 * threads (each with its own {@link Generator}).
 */
public final class TokenWindows implements Dataset<Example> {
    private final Tensor stream; // (n), contiguous
    private final float[] tokens; // the stream's storage, offset 0
    private final int length;
    private final int stride;
    private final int size;

    /** Windows of {@code length} tokens every {@code stride} tokens of {@code tokens} (copied into floats). */
    public TokenWindows(int[] tokens, int length, int stride) {
        this(toFloats(Objects.requireNonNull(tokens, "TokenWindows: tokens is null")), length, stride);
    }

    /** Non-overlapping windows: {@code stride == length}. */
    public TokenWindows(int[] tokens, int length) {
        this(tokens, length, length);
    }

    /**
     * Windows over token ids held as integral floats; the array is used as it is (not copied), so do
     * not modify it while the dataset is in use.
     *
     * @throws IllegalArgumentException if {@code length < 1} or {@code stride < 1}
     */
    public TokenWindows(float[] tokens, int length, int stride) {
        Objects.requireNonNull(tokens, "TokenWindows: tokens is null");
        if (length < 1) throw new IllegalArgumentException("TokenWindows: length must be >= 1, got " + length);
        if (stride < 1) throw new IllegalArgumentException("TokenWindows: stride must be >= 1, got " + stride);
        this.tokens = tokens;
        this.stream = Tensor.wrap(tokens, tokens.length);
        this.length = length;
        this.stride = stride;
        this.size = tokens.length < length + 1 ? 0 : (tokens.length - length - 1) / stride + 1;
    }

    private static float[] toFloats(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] > (1 << 24))
                throw new IllegalArgumentException("TokenWindows: token " + i + " is " + ids[i]
                        + "; ids must be in [0, 2^24] to be exact as floats");
            f[i] = ids[i];
        }
        return f;
    }

    @Override
    public int size() {
        return size;
    }

    /** Tokens per window. */
    public int length() {
        return length;
    }

    /** Tokens between the starts of consecutive windows. */
    public int stride() {
        return stride;
    }

    /** The number of tokens in the stream. */
    public int numTokens() {
        return tokens.length;
    }

    /** The first token of window {@code index}: {@code index * stride}. */
    public int start(int index) {
        Objects.checkIndex(index, size);
        return index * stride;
    }

    /** Window {@code index}: x = tokens[s, s+length), y = tokens[s+1, s+length+1), views of shape (length). */
    @Override
    public Example get(int index) {
        if (index < 0 || index >= size)
            throw new IndexOutOfBoundsException("TokenWindows.get: index " + index + " is out of range for " + size + " windows");
        int s = index * stride;
        return new Example(stream.narrow(0, s, length), stream.narrow(0, s + 1, length));
    }

    /**
     * {@code batchSize} windows at start offsets drawn uniformly from {@code [0, n - length - 1]}
     * with {@code gen} (one {@link Generator#nextInt(int)} per window, in batch order): x and y of
     * shape (batchSize, length), fresh arrays.
     *
     * @throws IllegalStateException if the stream is shorter than {@code length + 1} tokens
     */
    public Batch randomBatch(Generator gen, int batchSize) {
        Objects.requireNonNull(gen, "TokenWindows.randomBatch: generator is null");
        if (batchSize < 1) throw new IllegalArgumentException("TokenWindows.randomBatch: batchSize must be >= 1, got " + batchSize);
        if (tokens.length < length + 1)
            throw new IllegalStateException("TokenWindows.randomBatch: the stream has " + tokens.length + " tokens, fewer than length + 1 = "
                    + (length + 1) + " needed for one window");
        int starts = tokens.length - length;
        float[] x = new float[Math.multiplyExact(batchSize, length)], y = new float[batchSize * length];
        for (int b = 0; b < batchSize; b++) {
            int s = gen.nextInt(starts);
            System.arraycopy(tokens, s, x, b * length, length);
            System.arraycopy(tokens, s + 1, y, b * length, length);
        }
        return new Batch(Tensor.wrap(x, batchSize, length), Tensor.wrap(y, batchSize, length));
    }

    /**
     * An endless sequence of {@link #randomBatch(Generator, int) random batches} from one
     * {@link Generator} seeded with {@code seed}: the same seed gives the same batches. Each
     * iterator restarts from the seed; use it from one thread.
     */
    public Iterable<Batch> randomBatches(long seed, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("TokenWindows.randomBatches: batchSize must be >= 1, got " + batchSize);
        return () -> new Iterator<>() {
            private final Generator gen = new Generator(seed);

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Batch next() {
                return randomBatch(gen, batchSize);
            }
        };
    }

    /**
     * A stream cut in two: {@code train} is the first part and {@code validation} the rest.
     *
     * @param train the first {@code n - validation.length} tokens
     * @param validation the last tokens
     */
    public record Split(int[] train, int[] validation) {
        public Split {
            Objects.requireNonNull(train, "Split: train is null");
            Objects.requireNonNull(validation, "Split: validation is null");
        }

        @Override
        public String toString() {
            return "Split(train=" + train.length + " tokens, validation=" + validation.length + " tokens)";
        }
    }

    /**
     * Keeps the last {@code round(n * validationFraction)} tokens for validation (rounding half up)
     * and the rest for training, both copies; no shuffling, so the validation text is unseen text
     * that follows the training text. {@code split(tokens, 0.1)} keeps the last 10%.
     *
     * @throws IllegalArgumentException if {@code validationFraction} is not in [0, 1]
     */
    public static Split split(int[] tokens, double validationFraction) {
        Objects.requireNonNull(tokens, "TokenWindows.split: tokens is null");
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new IllegalArgumentException("TokenWindows.split: validationFraction must be in [0, 1], got " + validationFraction);
        int validation = (int) Math.min(tokens.length, Math.round(tokens.length * validationFraction));
        int train = tokens.length - validation;
        return new Split(Arrays.copyOf(tokens, train), Arrays.copyOfRange(tokens, train, tokens.length));
    }

    @Override
    public String toString() {
        return "TokenWindows(tokens=" + tokens.length + ", length=" + length + ", stride=" + stride + ", windows=" + size + ")";
    }
}
