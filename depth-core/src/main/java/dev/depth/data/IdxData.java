package dev.depth.data;

import dev.depth.tensor.Tensor;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The contents of an IDX file (the format of MNIST and Fashion-MNIST), as read by
 * {@link IdxReader}: the element {@link #type()}, the dimensions and the raw elements, big-endian
 * in row-major order, exactly as stored in the file.
 *
 * <p>When the reader was asked for the first {@code n} items only, {@link #dims()} describes the
 * data held here ({@code dims()[0] <= n}) while {@link #fileDims()} keeps the header's dimensions.
 *
 * <p>Conversion: {@link #toFloatArray()} and {@link #toTensor()} decode every type to float
 * (unsigned bytes as 0..255; {@code INT} and {@code DOUBLE} values are rounded to the nearest
 * float).
 *
 * <p>Thread safety: immutable (the accessors return copies of the arrays).
 */
public final class IdxData {
    private final String source;
    private final IdxType type;
    private final int[] dims;
    private final int[] fileDims;
    private final byte[] payload;

    /**
     * @param source the file name, used in messages
     * @param type the element type
     * @param dims the dimensions of {@code payload}
     * @param fileDims the dimensions the file's header declares (equal to {@code dims} unless the
     *     data was limited to the first items)
     * @param payload {@code product(dims) * type.bytes()} bytes, big-endian elements; not copied
     */
    public IdxData(String source, IdxType type, int[] dims, int[] fileDims, byte[] payload) {
        this.source = Objects.requireNonNull(source, "IdxData: source is null");
        this.type = Objects.requireNonNull(type, "IdxData: type is null");
        this.dims = dims.clone();
        this.fileDims = fileDims.clone();
        this.payload = Objects.requireNonNull(payload, "IdxData: payload is null");
        long expected = type.bytes();
        for (int d : dims) expected *= d;
        if (payload.length != expected)
            throw new IllegalArgumentException("IdxData(" + source + "): " + payload.length + " payload bytes, but dims "
                    + Arrays.toString(dims) + " of " + type + " need " + expected);
    }

    /** Where the data came from (a file name), for messages. */
    public String source() {
        return source;
    }

    public IdxType type() {
        return type;
    }

    /** The dimensions of the data held here. */
    public int[] dims() {
        return dims.clone();
    }

    /** The dimensions declared by the file's header. */
    public int[] fileDims() {
        return fileDims.clone();
    }

    /** The number of items held: the first dimension. */
    public int count() {
        return dims[0];
    }

    /** The number of elements held (the product of {@link #dims()}). */
    public int numel() {
        return payload.length / type.bytes();
    }

    /** A copy of the raw elements, big-endian as in the file; for unsigned bytes, the values themselves. */
    public byte[] bytes() {
        return payload.clone();
    }

    /** The element {@code i} (row-major) as a float. */
    public float getFloat(int i) {
        Objects.checkIndex(i, numel());
        return decode(ByteBuffer.wrap(payload), i);
    }

    /** Every element as a float, in row-major order. */
    public float[] toFloatArray() {
        float[] out = new float[numel()];
        if (type == IdxType.UNSIGNED_BYTE) {
            for (int i = 0; i < out.length; i++) out[i] = payload[i] & 0xFF;
        } else if (type == IdxType.SIGNED_BYTE) {
            for (int i = 0; i < out.length; i++) out[i] = payload[i];
        } else {
            ByteBuffer buf = ByteBuffer.wrap(payload); // big-endian by default
            for (int i = 0; i < out.length; i++) out[i] = decode(buf, i);
        }
        return out;
    }

    /** Every element divided by {@code divisor} (255 maps unsigned bytes to [0, 1]). */
    public float[] toFloatArray(float divisor) {
        if (type == IdxType.UNSIGNED_BYTE) { // the common case (images), in one pass
            float[] out = new float[payload.length];
            for (int i = 0; i < out.length; i++) out[i] = (payload[i] & 0xFF) / divisor;
            return out;
        }
        float[] out = toFloatArray();
        for (int i = 0; i < out.length; i++) out[i] /= divisor;
        return out;
    }

    private float decode(ByteBuffer buf, int i) {
        return switch (type) {
            case UNSIGNED_BYTE -> buf.get(i) & 0xFF;
            case SIGNED_BYTE -> buf.get(i);
            case SHORT -> buf.getShort(i * 2);
            case INT -> buf.getInt(i * 4);
            case FLOAT -> buf.getFloat(i * 4);
            case DOUBLE -> (float) buf.getDouble(i * 8);
        };
    }

    /** A float tensor of shape {@link #dims()}. */
    public Tensor toTensor() {
        return Tensor.wrap(toFloatArray(), dims);
    }

    /** A float tensor of shape {@link #dims()}, every element divided by {@code divisor}. */
    public Tensor toTensor(float divisor) {
        return Tensor.wrap(toFloatArray(divisor), dims);
    }

    /**
     * Checks the element type.
     *
     * @return this
     * @throws IdxFormatException naming the file and both types if they differ
     */
    public IdxData requireType(IdxType expected) throws IdxFormatException {
        if (type != expected)
            throw new IdxFormatException(source + ": IDX data type is " + type + ", expected " + expected);
        return this;
    }

    /**
     * Checks the header's dimensions ({@link #fileDims()}) against {@code expected}, where -1
     * accepts any size.
     *
     * @return this
     * @throws IdxFormatException naming the file, the dimensions found and those expected
     */
    public IdxData requireDims(int... expected) throws IdxFormatException {
        boolean ok = expected.length == fileDims.length;
        for (int i = 0; ok && i < expected.length; i++) ok = expected[i] == -1 || expected[i] == fileDims[i];
        if (!ok) {
            StringBuilder want = new StringBuilder("[");
            for (int i = 0; i < expected.length; i++) want.append(i > 0 ? ", " : "").append(expected[i] == -1 ? "any" : String.valueOf(expected[i]));
            throw new IdxFormatException(source + ": IDX dims " + Arrays.toString(fileDims) + " do not match the expected "
                    + want.append(']'));
        }
        return this;
    }

    @Override
    public String toString() {
        return "IdxData(" + source + ", " + type + ", dims=" + Arrays.toString(dims)
                + (Arrays.equals(dims, fileDims) ? "" : " of " + Arrays.toString(fileDims)) + ")";
    }
}
