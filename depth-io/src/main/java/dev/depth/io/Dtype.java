package dev.depth.io;

import java.nio.ByteBuffer;

/**
 * The safetensors element types Depth reads, with their sizes and their conversion to float32.
 * Every conversion is a pure function of the bytes (little-endian), so loading is deterministic.
 */
enum Dtype {
    /** IEEE 754 binary32: exact. */
    F32(4),
    /** IEEE 754 binary64: rounded to the nearest float (ties to even); beyond float's range becomes infinity. */
    F64(8),
    /** IEEE 754 binary16: exact (every half value is a float). */
    F16(2),
    /** bfloat16 (the upper half of a binary32): exact. */
    BF16(2),
    /** Signed 64-bit integer: exact up to 2^24 in magnitude, rounded to the nearest float beyond. */
    I64(8),
    /** Signed 32-bit integer: exact up to 2^24 in magnitude, rounded to the nearest float beyond. */
    I32(4),
    /** Signed 16-bit integer: exact. */
    I16(2),
    /** Signed 8-bit integer: exact. */
    I8(1),
    /** Unsigned 8-bit integer: exact. */
    U8(1),
    /** Boolean, one byte that must be 0 or 1: read as 0 or 1. */
    BOOL(1);

    final int size;

    Dtype(int size) {
        this.size = size;
    }

    /** The dtype named {@code name} in a safetensors header, or null if Depth cannot read it. */
    static Dtype byName(String name) {
        for (Dtype d : values()) if (d.name().equals(name)) return d;
        return null;
    }

    /**
     * Converts {@code count} elements from {@code buf} (little-endian, positioned at the first) into
     * {@code out[off, off + count)}. Returns -1, or the index (relative to {@code off}) of the first
     * element whose bytes are invalid for this dtype (only BOOL has invalid values).
     */
    int decode(ByteBuffer buf, float[] out, int off, int count) {
        switch (this) {
            case F32 -> buf.asFloatBuffer().get(out, off, count);
            case F64 -> { for (int i = 0; i < count; i++) out[off + i] = (float) buf.getDouble(); }
            case F16 -> { for (int i = 0; i < count; i++) out[off + i] = halfToFloat(buf.getShort()); }
            case BF16 -> { for (int i = 0; i < count; i++) out[off + i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16); }
            case I64 -> { for (int i = 0; i < count; i++) out[off + i] = (float) buf.getLong(); }
            case I32 -> { for (int i = 0; i < count; i++) out[off + i] = (float) buf.getInt(); }
            case I16 -> { for (int i = 0; i < count; i++) out[off + i] = buf.getShort(); }
            case I8 -> { for (int i = 0; i < count; i++) out[off + i] = buf.get(); }
            case U8 -> { for (int i = 0; i < count; i++) out[off + i] = buf.get() & 0xff; }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    int v = buf.get();
                    if (v != 0 && v != 1) return i;
                    out[off + i] = v;
                }
            }
        }
        return -1;
    }

    /** IEEE 754 binary16 bits to float (exact; written out because Float.float16ToFloat needs Java 20). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // inf, NaN (payload kept)
        if (exponent == 0) {
            float v = mantissa * 0x1p-24f; // zero or subnormal: mantissa * 2^-24, exact
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }

    /** The names of all dtypes Depth reads, for error messages. */
    static String supported() {
        StringBuilder sb = new StringBuilder();
        for (Dtype d : values()) sb.append(sb.length() == 0 ? "" : ", ").append(d.name());
        return sb.toString();
    }
}
