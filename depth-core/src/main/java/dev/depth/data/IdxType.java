package dev.depth.data;

/**
 * The element types of the IDX format (the third byte of an IDX file's magic number), with the
 * size of one element. Elements are stored big-endian.
 *
 * <p>Thread safety: immutable.
 */
public enum IdxType {
    UNSIGNED_BYTE(0x08, 1, "unsigned byte"),
    SIGNED_BYTE(0x09, 1, "signed byte"),
    SHORT(0x0B, 2, "short (int16)"),
    INT(0x0C, 4, "int (int32)"),
    FLOAT(0x0D, 4, "float (float32)"),
    DOUBLE(0x0E, 8, "double (float64)");

    private final int code;
    private final int bytes;
    private final String description;

    IdxType(int code, int bytes, String description) {
        this.code = code;
        this.bytes = bytes;
        this.description = description;
    }

    /** The type byte in the file's magic number, e.g. 0x08. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The type, or null if {@code code} is not an IDX type byte. */
    public static IdxType fromCode(int code) {
        for (IdxType t : values()) if (t.code == code) return t;
        return null;
    }

    /** For messages: "0x08 (unsigned byte)". */
    @Override
    public String toString() {
        return String.format("0x%02X (%s)", code, description);
    }
}
