package dev.depth.io;

import dev.depth.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, the checkpoint format of Hugging Face and PyTorch users, so that Depth checkpoints load
 * there and theirs load here.
 *
 * <h2>The format</h2>
 * <pre>
 * bytes [0, 8)          N, the header length: an unsigned 64-bit little-endian integer
 * bytes [8, 8 + N)      the header: a UTF-8 JSON object, padded with spaces (0x20)
 * bytes [8 + N, end)    the data section: every tensor's elements, row-major, little-endian
 * </pre>
 * The header maps each tensor name to {@code {"dtype": "F32", "shape": [2, 3], "data_offsets":
 * [begin, end]}}, where the offsets count bytes from the start of the data section; the optional
 * key {@value #METADATA_KEY} maps to an object of string keys and string values (free-form
 * metadata such as {@code {"format": "pt"}}). The tensors' byte ranges tile the data section
 * exactly: no gaps, no overlaps, no trailing bytes. A rank-0 tensor has shape {@code []} and one
 * element; a tensor with a zero dimension has {@code begin == end}.
 *
 * <h2>Writing</h2>
 * {@link #save} writes every tensor as {@code F32}, in the map's iteration order, with the data in
 * the same order; the header is compact JSON ({@value #METADATA_KEY} first when present) padded
 * with spaces to a multiple of 8 bytes, so the data section starts 8-byte aligned. The same input
 * gives the same bytes. Tensors that share storage (tied weights) are written as separate copies. The file is replaced atomically (see {@link AtomicFiles}): a failure or
 * crash while saving leaves any previous file intact.
 *
 * <h2>Reading</h2>
 * {@link #load} converts every tensor to float32: {@code F32}, {@code F16}, {@code BF16},
 * {@code I16}, {@code I8}, {@code U8} and {@code BOOL} (0 or 1) exactly; {@code F64} rounded to
 * the nearest float (values beyond float's range become infinities); {@code I64} and {@code I32}
 * exactly up to 2^24 in magnitude and rounded to the nearest float beyond. The 8-bit float types
 * and unsigned types wider than a byte are rejected. Every rule of the format is checked, and a
 * violation is a {@link FileFormatException} that names the file, the byte offset and what was
 * expected: a header length beyond the file or above {@value #MAX_HEADER_BYTES} bytes, a header
 * that is not valid UTF-8 JSON or not an object, duplicate keys, a tensor entry without exactly the
 * fields {@code dtype}, {@code shape} and {@code data_offsets}, an unknown dtype, a negative or
 * non-integral dimension, offsets whose span differs from {@code numel * dtype size}, offsets past
 * the end of the file, overlapping ranges, gaps, trailing bytes, metadata values that are not
 * strings, and tensors of more than {@code Integer.MAX_VALUE - 8} elements (the most a Depth tensor
 * holds). Files are read with positional reads in 1 MiB chunks; nothing is memory-mapped, so a
 * loaded file can be replaced or deleted at once.
 *
 * <p>Example:
 * <pre>{@code
 * Map<String, Tensor> state = model.stateDict();
 * Safetensors.save(Path.of("model.safetensors"), state, Map.of("format", "pt"));
 * LinkedHashMap<String, Tensor> loaded = Safetensors.load(Path.of("model.safetensors"));
 * }</pre>
 *
 * <p>Thread safety: the methods are static and stateless and may be called from any thread. The
 * tensors being saved must not be written to while {@link #save} runs.
 */
public final class Safetensors {
    /** The header key that holds the string-to-string metadata map instead of a tensor. */
    public static final String METADATA_KEY = "__metadata__";
    /** The largest header Depth reads (the reference implementation's limit), in bytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final int CHUNK_BYTES = 1 << 20;
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Safetensors() {}

    /** Writes {@code tensors} as F32 to {@code file}, without metadata. See {@link #save(Path, Map, Map)}. */
    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} as F32, in the map's iteration order, with {@code metadata} (may be
     * empty or null) under {@value #METADATA_KEY}; replaces {@code file} atomically. Tensors need
     * not be contiguous; their row-major elements are written.
     *
     * @throws IllegalArgumentException if a name or tensor is null, a name is {@value #METADATA_KEY},
     *     or a metadata key or value is null
     * @throws IOException if the directory does not exist or the write fails (the previous file,
     *     if any, is then unchanged)
     */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        List<String> names = new ArrayList<>(tensors.size());
        List<Tensor> values = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null) throw new IllegalArgumentException("Safetensors.save(" + file + "): a tensor name is null");
            if (name.equals(METADATA_KEY))
                throw new IllegalArgumentException("Safetensors.save(" + file + "): the tensor name '" + METADATA_KEY + "' is reserved for metadata");
            if (e.getValue() == null) throw new IllegalArgumentException("Safetensors.save(" + file + "): tensor '" + name + "' is null");
            names.add(name);
            values.add(e.getValue());
        }
        byte[] header = encodeHeader(names, values, metadata, file);
        AtomicFiles.write(file, ch -> {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            AtomicFiles.writeFully(ch, prefix);
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : values) writeData(ch, buf, t);
        });
    }

    /**
     * The header bytes for the given tensors (all F32): compact JSON, padded with spaces to a
     * multiple of 8 bytes.
     */
    static byte[] encodeHeader(List<String> names, List<Tensor> values, Map<String, String> metadata, Path file) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            for (Map.Entry<String, String> e : metadata.entrySet())
                if (e.getKey() == null || e.getValue() == null)
                    throw new IllegalArgumentException("Safetensors.save(" + file + "): metadata key " + e.getKey() + " or its value is null");
            header.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            int[] shape = values.get(i).shape();
            long bytes = 4L * values.get(i).numel();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", Dtype.F32.name());
            entry.put("shape", shape);
            entry.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(names.get(i), entry);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel ch, ByteBuffer buf, Tensor t) throws IOException {
        float[] src;
        int start;
        if (t.isContiguous()) {
            src = t.storage();
            start = t.offset();
        } else {
            src = t.toFloatArray();
            start = 0;
        }
        int n = t.numel();
        int perChunk = buf.capacity() / 4;
        for (int done = 0; done < n; done += perChunk) {
            int count = Math.min(perChunk, n - done);
            buf.clear();
            buf.asFloatBuffer().put(src, start + done, count);
            buf.limit(count * 4);
            AtomicFiles.writeFully(ch, buf);
        }
    }

    /**
     * Reads every tensor of a safetensors file, converted to float32, in header order. The
     * returned tensors are new, contiguous and do not require gradients.
     *
     * @throws FileFormatException if the file breaks a rule of the format (see the class docs)
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws IOException if reading fails
     */
    public static LinkedHashMap<String, Tensor> load(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file);
            LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : h.entries) out.put(e.name, Tensor.wrap(readData(ch, buf, h, e, file), e.shape));
            return out;
        }
    }

    /**
     * The {@value #METADATA_KEY} map of a safetensors file (empty if it has none), in header order.
     * Reads and validates only the header.
     */
    public static LinkedHashMap<String, String> loadMetadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(ch, file).metadata;
        }
    }

    // ---------------------------------------------------------------- reading

    /** One tensor's header entry; {@code at} is the file offset of its JSON object. */
    private record Entry(String name, Dtype dtype, int[] shape, long numel, long begin, long end, long at) {}

    private record Header(List<Entry> entries, LinkedHashMap<String, String> metadata, long dataStart) {}

    private static Header readHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8)
            throw new FileFormatException(file, 0, "the file is " + size + " bytes long; expected at least 8 (the header length) for a safetensors file");
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, prefix, 0, file);
        long n = prefix.flip().getLong();
        String nText = Long.toUnsignedString(n);
        if (n < 0 || n > size - 8)
            throw new FileFormatException(file, 0, "header length " + nText + " exceeds the " + (size - 8)
                    + " bytes that follow it; expected a complete safetensors file (truncated, or not safetensors?)");
        if (n > MAX_HEADER_BYTES)
            throw new FileFormatException(file, 0, "header length " + nText + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        if (n == 0)
            throw new FileFormatException(file, 0, "header length is 0; expected at least 2 bytes for a JSON object");
        byte[] json = new byte[(int) n];
        readFully(ch, ByteBuffer.wrap(json), 8, file);
        long dataStart = 8 + n;
        long dataLength = size - dataStart;

        IdentityHashMap<Object, Long> positions = new IdentityHashMap<>();
        Object root;
        try {
            root = new JsonParser(json, 0, json.length, 8, positions).parseDocument();
        } catch (Json.SyntaxException e) {
            throw new FileFormatException(file, e.offset(), "the header is not valid JSON: " + e.problem(), e);
        }
        if (!(root instanceof Map<?, ?> top))
            throw new FileFormatException(file, 8, "the header is a JSON " + kind(root) + "; expected an object mapping tensor names to {dtype, shape, data_offsets}");

        List<Entry> entries = new ArrayList<>();
        LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> me : top.entrySet()) {
            String name = (String) me.getKey();
            Object v = me.getValue();
            if (name.equals(METADATA_KEY)) {
                long at = positions.getOrDefault(v, 8L);
                if (!(v instanceof Map<?, ?> m))
                    throw new FileFormatException(file, at, "'" + METADATA_KEY + "' is a JSON " + kind(v) + "; expected an object of string values");
                for (Map.Entry<?, ?> kv : m.entrySet()) {
                    if (!(kv.getValue() instanceof String s))
                        throw new FileFormatException(file, at, "metadata value of " + JsonParser.quote((String) kv.getKey()) + " is a JSON "
                                + kind(kv.getValue()) + "; expected a string");
                    metadata.put((String) kv.getKey(), s);
                }
            } else {
                entries.add(parseEntry(file, name, v, positions, dataStart, dataLength));
            }
        }
        checkLayout(file, entries, dataStart, dataLength);
        return new Header(entries, metadata, dataStart);
    }

    private static Entry parseEntry(Path file, String name, Object v, IdentityHashMap<Object, Long> positions, long dataStart, long dataLength)
            throws FileFormatException {
        String q = "tensor " + JsonParser.quote(name);
        if (!(v instanceof Map<?, ?> m))
            throw new FileFormatException(file, 8, q + " is a JSON " + kind(v) + "; expected an object {dtype, shape, data_offsets}");
        long at = positions.get(v);
        for (Object k : m.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets"))
                throw new FileFormatException(file, at, q + " has the unknown field " + JsonParser.quote((String) k)
                        + "; expected only dtype, shape and data_offsets");
        }
        for (String field : new String[] {"dtype", "shape", "data_offsets"})
            if (!m.containsKey(field)) throw new FileFormatException(file, at, q + " has no field '" + field + "'");

        if (!(m.get("dtype") instanceof String dtypeName))
            throw new FileFormatException(file, at, q + ": dtype is a JSON " + kind(m.get("dtype")) + "; expected a string such as \"F32\"");
        Dtype dtype = Dtype.byName(dtypeName);
        if (dtype == null)
            throw new FileFormatException(file, at, q + " has dtype " + JsonParser.quote(dtypeName) + ", which Depth cannot read; expected one of "
                    + Dtype.supported());

        if (!(m.get("shape") instanceof List<?> dims))
            throw new FileFormatException(file, at, q + ": shape is a JSON " + kind(m.get("shape")) + "; expected an array of non-negative integers");
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            if (!(d instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE)
                throw new FileFormatException(file, at, q + ": dimension " + i + " of shape " + Json.write(dims)
                        + " is not an integer in [0, " + Integer.MAX_VALUE + "]");
            shape[i] = (int) (long) dim;
            numel = numel == 0 || dim == 0 ? 0 : (numel > MAX_ELEMENTS / dim ? Long.MAX_VALUE : numel * dim);
        }
        if (numel > MAX_ELEMENTS)
            throw new FileFormatException(file, at, q + " of shape " + Json.write(dims) + " has more than " + MAX_ELEMENTS
                    + " elements, the most a Depth tensor holds");

        if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2 || !(offs.get(0) instanceof Long)
                || !(offs.get(1) instanceof Long))
            throw new FileFormatException(file, at, q + ": data_offsets is " + Json.write(m.get("data_offsets"))
                    + "; expected [begin, end], two non-negative integers");
        long begin = (Long) offs.get(0), end = (Long) offs.get(1);
        String range = "[" + begin + ", " + end + "]";
        if (begin < 0 || end < begin)
            throw new FileFormatException(file, at, q + ": data_offsets " + range + " are not an interval; expected 0 <= begin <= end");
        if (end > dataLength)
            throw new FileFormatException(file, at, q + ": data_offsets " + range + " end beyond the data section, which has "
                    + dataLength + " bytes (file bytes " + dataStart + " to " + (dataStart + dataLength) + "); the file is truncated or the offsets are wrong");
        long expected = numel * dtype.size;
        if (end - begin != expected)
            throw new FileFormatException(file, at, q + ": data_offsets " + range + " span " + (end - begin) + " bytes; expected "
                    + expected + " for dtype " + dtype + " and shape " + Json.write(dims) + " (" + numel + " elements of " + dtype.size + " bytes)");
        return new Entry(name, dtype, shape, numel, begin, end, at);
    }

    /** The byte ranges must tile the data section: sorted by begin, each starts where the last ended. */
    private static void checkLayout(Path file, List<Entry> entries, long dataStart, long dataLength) throws FileFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long cursor = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            String q = "tensor " + JsonParser.quote(e.name) + " (data_offsets [" + e.begin + ", " + e.end + "])";
            if (e.begin < cursor)
                throw new FileFormatException(file, dataStart + e.begin, q + " overlaps tensor " + JsonParser.quote(previous.name)
                        + " (data_offsets [" + previous.begin + ", " + previous.end + "]); expected each tensor to begin where the previous one ends");
            if (e.begin > cursor)
                throw new FileFormatException(file, dataStart + cursor, (e.begin - cursor) + " unused bytes before " + q
                        + "; expected the tensors to be packed without gaps from data offset 0");
            cursor = e.end;
            previous = e;
        }
        if (cursor != dataLength)
            throw new FileFormatException(file, dataStart + cursor, (dataLength - cursor) + " trailing bytes after the last tensor's data; expected the file to end at byte "
                    + (dataStart + cursor));
    }

    private static float[] readData(FileChannel ch, ByteBuffer buf, Header h, Entry e, Path file) throws IOException {
        int n = (int) e.numel;
        float[] out = new float[n];
        int perChunk = buf.capacity() / e.dtype.size;
        long pos = h.dataStart + e.begin;
        for (int done = 0; done < n; done += perChunk) {
            int count = Math.min(perChunk, n - done);
            buf.clear().limit(count * e.dtype.size);
            readFully(ch, buf, pos, file);
            buf.flip();
            int bad = e.dtype.decode(buf, out, done, count);
            if (bad >= 0)
                throw new FileFormatException(file, pos + (long) bad * e.dtype.size, "element " + (done + bad) + " of tensor "
                        + JsonParser.quote(e.name) + " (dtype " + e.dtype + ") is not a valid value; expected 0 or 1");
            pos += (long) count * e.dtype.size;
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0)
                throw new FileFormatException(file, p, "unexpected end of file; expected " + buf.remaining() + " more bytes (did the file change while it was read?)");
            p += r;
        }
    }

    private static String kind(Object v) {
        if (v == null) return "null";
        if (v instanceof Map<?, ?>) return "object";
        if (v instanceof List<?>) return "array";
        if (v instanceof String) return "string";
        if (v instanceof Boolean) return "boolean";
        return "number";
    }
}
