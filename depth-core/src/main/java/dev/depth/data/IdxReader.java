package dev.depth.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed (recognised by the
 * gzip magic bytes {@code 1f 8b}, not by the file name).
 *
 * <p>The format (all integers big-endian): two zero bytes; a type byte ({@link IdxType}: 0x08
 * unsigned byte, 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double); a byte giving
 * the number of dimensions {@code d}; {@code d} int32 sizes; then {@code product(sizes)} elements
 * in row-major order, and nothing after them.
 *
 * <p>Everything is checked: the magic bytes, the type, {@code d >= 1}, each size positive, the
 * data size fitting in a Java array, and that the file holds exactly the data the header
 * promises. A failure throws {@link IdxFormatException} naming the file, the byte offset (counted
 * in decompressed bytes for a gzip file) and what was expected.
 *
 * <p>Thread safety: stateless; every method may be called from any thread.
 */
public final class IdxReader {
    private static final int BUFFER = 1 << 16;

    private IdxReader() {}

    /** Reads the whole file. */
    public static IdxData read(Path file) throws IOException {
        return read(file, Integer.MAX_VALUE);
    }

    /**
     * Reads the first {@code maxItems} items (along the first dimension) of the file, or all if it
     * holds fewer. The rest of the file is still read and checked for length, so a truncated or
     * over-long file fails whatever {@code maxItems} is.
     */
    public static IdxData read(Path file, int maxItems) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), maxItems);
        }
    }

    /**
     * Reads IDX data from {@code in} (raw or gzip), naming it {@code source} in messages; see
     * {@link #read(Path, int)}. Does not close {@code in}.
     */
    public static IdxData read(InputStream in, String source, int maxItems) throws IOException {
        if (maxItems < 0) throw new IllegalArgumentException("IdxReader: maxItems must be >= 0, got " + maxItems);
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
        buffered.mark(2);
        int b0 = buffered.read(), b1 = buffered.read();
        buffered.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        InputStream body = buffered;
        if (gzip) {
            try {
                body = new GZIPInputStream(buffered, BUFFER);
            } catch (ZipException | EOFException e) {
                throw new IdxFormatException(source + ": starts with the gzip magic bytes 1f 8b but its gzip header is corrupt: " + e.getMessage(), e);
            }
        }
        return new Parser(body, source, gzip).parse(maxItems);
    }

    /** Reads from one stream, counting the (decompressed) offset for messages. */
    private static final class Parser {
        private final InputStream in;
        private final String source;
        private final String where; // "byte offset" or "decompressed byte offset"
        private long offset;
        private EOFException gzipEnd; // set when a gzip stream ended before its end marker

        Parser(InputStream in, String source, boolean gzip) {
            this.in = in;
            this.source = source;
            this.where = gzip ? "decompressed byte offset" : "byte offset";
        }

        IdxData parse(int maxItems) throws IOException {
            byte[] magic = new byte[4];
            int got = fill(magic, 0, 4);
            if (got >= 2 && (magic[0] != 0 || magic[1] != 0))
                throw new IdxFormatException(String.format("%s: not an IDX file: expected the magic bytes 0x00 0x00 at %s 0, found 0x%02X 0x%02X",
                        source, where, magic[0] & 0xFF, magic[1] & 0xFF));
            if (got < 4)
                throw new IdxFormatException(source + ": truncated IDX header: expected a 4-byte magic number at " + where
                        + " 0, but the file ends at " + where + " " + offset + endedEarly());
            IdxType type = IdxType.fromCode(magic[2] & 0xFF);
            if (type == null)
                throw new IdxFormatException(String.format("%s: unknown IDX data type 0x%02X at %s 2; expected one of %s",
                        source, magic[2] & 0xFF, where, Arrays.toString(IdxType.values())));
            int rank = magic[3] & 0xFF;
            if (rank == 0)
                throw new IdxFormatException(source + ": the IDX header declares 0 dimensions at " + where + " 3; expected at least 1");

            int[] dims = new int[rank];
            byte[] word = new byte[4];
            long dataBytes = type.bytes();
            for (int i = 0; i < rank; i++) {
                long at = offset;
                if (fill(word, 0, 4) < 4)
                    throw new IdxFormatException(source + ": truncated IDX header: expected 4 bytes for the size of dimension " + i
                            + " of " + rank + " at " + where + " " + at + ", but the file ends at " + where + " " + offset + endedEarly());
                dims[i] = ((word[0] & 0xFF) << 24) | ((word[1] & 0xFF) << 16) | ((word[2] & 0xFF) << 8) | (word[3] & 0xFF);
                if (dims[i] <= 0)
                    throw new IdxFormatException(source + ": dimension " + i + " (at " + where + " " + at + ") has size "
                            + Integer.toUnsignedString(dims[i]) + (dims[i] < 0 ? " (" + dims[i] + " as a signed int32)" : "")
                            + "; expected a positive size below 2^31");
                dataBytes *= dims[i]; // < 2^31 * 2^31: cannot overflow a long
                if (dataBytes > Integer.MAX_VALUE - 8)
                    throw new IdxFormatException(source + ": the IDX header's dims " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                            + (i + 1 < rank ? "..." : "") + " of " + type + " describe more than " + (Integer.MAX_VALUE - 8)
                            + " bytes of data, more than one Java array holds");
            }
            long headerBytes = offset;
            long total = headerBytes + dataBytes;

            int items = Math.min(maxItems, dims[0]);
            int itemBytes = (int) (dataBytes / dims[0]);
            byte[] payload = new byte[items * itemBytes];
            if (fill(payload, 0, payload.length) < payload.length) throw truncated(type, dims, headerBytes, dataBytes);
            long rest = dataBytes - payload.length;
            byte[] scratch = new byte[(int) Math.min(BUFFER, rest)];
            while (rest > 0) {
                int n = fill(scratch, 0, (int) Math.min(scratch.length, rest));
                if (n == 0) throw truncated(type, dims, headerBytes, dataBytes);
                rest -= n;
            }
            long extra = drain();
            if (gzipEnd != null)
                throw new IdxFormatException(source + ": truncated gzip file: the " + total + " bytes the IDX header promises were "
                        + "decompressed, but the gzip stream ended before its end marker (CRC and length)" + endedEarly(), gzipEnd);
            if (extra > 0)
                throw new IdxFormatException(source + ": " + extra + " unexpected trailing bytes after " + where + " " + total
                        + "; the IDX header (" + type + ", dims " + Arrays.toString(dims) + ") promises exactly " + total
                        + " bytes (" + headerBytes + "-byte header + " + dataBytes + " bytes of data)");
            int[] held = dims.clone();
            held[0] = items;
            return new IdxData(source, type, held, dims, payload);
        }

        private IdxFormatException truncated(IdxType type, int[] dims, long headerBytes, long dataBytes) {
            String msg = source + ": truncated IDX data: the data ends at " + where + " " + offset + ", but the header ("
                    + type + ", dims " + Arrays.toString(dims) + ") promises " + (headerBytes + dataBytes) + " bytes ("
                    + headerBytes + "-byte header + " + dataBytes + " bytes of data), " + (headerBytes + dataBytes - offset)
                    + " more than the file holds";
            if (gzipEnd != null) msg += endedEarly();
            return new IdxFormatException(msg, gzipEnd);
        }

        private String endedEarly() {
            return gzipEnd == null ? "" : " (the gzip stream ended early: " + gzipEnd.getMessage() + ")";
        }

        /**
         * Reads until {@code len} bytes or the end of the stream; returns the count read. A gzip
         * stream cut short counts as the end (remembered for the message); corrupt gzip data throws.
         */
        private int fill(byte[] b, int off, int len) throws IOException {
            int done = 0;
            while (done < len) {
                int n = read(b, off + done, len - done);
                if (n < 0) break;
                done += n;
                offset += n;
            }
            return done;
        }

        /** Reads to the end; returns the number of bytes that were left. */
        private long drain() throws IOException {
            byte[] scratch = new byte[4096];
            long count = 0;
            int n;
            while ((n = read(scratch, 0, scratch.length)) >= 0) count += n;
            return count;
        }

        private int read(byte[] b, int off, int len) throws IOException {
            if (gzipEnd != null) return -1;
            try {
                return in.read(b, off, len);
            } catch (EOFException e) { // GZIPInputStream: the compressed stream was cut short
                gzipEnd = e;
                return -1;
            } catch (ZipException e) {
                throw new IdxFormatException(source + ": corrupt gzip data near " + where + " " + offset + ": " + e.getMessage(), e);
            }
        }
    }
}
