package dev.depth.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds safetensors files byte by byte in tests, independently of the writer under test. */
final class SafetensorsFiles {
    private SafetensorsFiles() {}

    /** Length prefix + header (padded with spaces to a multiple of 8) + data. */
    static byte[] padded(String header, byte[] data) {
        StringBuilder h = new StringBuilder(header);
        while (h.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) h.append(' ');
        return raw(h.toString(), data);
    }

    /** Length prefix + header exactly as given + data. */
    static byte[] raw(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return concat(le64(h.length), h, data);
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** The byte offset in the file of the first occurrence of {@code needle} in the header. */
    static long headerOffsetOf(String header, String needle) {
        int i = header.indexOf(needle);
        if (i < 0) throw new IllegalArgumentException(needle + " not in " + header);
        return 8 + header.substring(0, i).getBytes(StandardCharsets.UTF_8).length;
    }
}
