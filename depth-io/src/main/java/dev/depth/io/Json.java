package dev.depth.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.temporal.TemporalAccessor;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) reader and writer for checkpoint headers and run
 * configuration files.
 *
 * <p><b>Reading</b> ({@link #parse(byte[])}, {@link #parse(String)}) maps a JSON document to plain
 * Java values: an object becomes a {@code LinkedHashMap<String, Object>} in document order, an
 * array an {@code ArrayList<Object>}, a string a {@code String}, {@code true}/{@code false} a
 * {@code Boolean}, {@code null} {@code null}; a number without fraction or exponent becomes a
 * {@code Long} (a {@code BigInteger} if it does not fit), any other number a {@code Double}.
 * The reader is strict: it rejects duplicate keys, trailing commas, comments, leading zeros,
 * {@code NaN}/{@code Infinity}, control characters in strings, invalid UTF-8, numbers beyond the
 * range of {@code double}, nesting deeper than {@value #MAX_DEPTH} and anything but whitespace
 * after the value. A failure is a {@link SyntaxException} that gives the byte offset.
 *
 * <p><b>Writing</b> ({@link #write}, {@link #writePretty}) accepts maps with {@code String} keys
 * (written in the map's iteration order), lists and other {@code Iterable}s, arrays (object and
 * primitive), strings, characters, booleans, {@code null}, numbers, enums (their name), and
 * {@link Path}s and {@code java.time} values (their {@code toString()}). A {@code float} is
 * written with {@link Float#toString(float)} so that {@code 1e-3f} appears as {@code 0.001}.
 * JSON has no non-finite numbers: {@code NaN} and the infinities are written as the strings
 * {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"} (what Python's {@code float()} accepts),
 * so a diverged run's metrics can still be recorded; they read back as strings. Other types, and
 * nesting deeper than {@value #MAX_DEPTH} (usually a cycle), are rejected with an
 * {@link IllegalArgumentException} that names the path of the bad value, e.g. {@code $.optimizer.lr}.
 *
 * <p>Thread safety: all methods are static and stateless; they may be called from any thread.
 * The values passed to the writer must not be mutated while it runs.
 */
public final class Json {
    /** The deepest nesting of arrays and objects that the reader and writer accept. */
    public static final int MAX_DEPTH = 512;

    private Json() {}

    /**
     * Parses one JSON document from UTF-8 bytes.
     *
     * @throws SyntaxException if the bytes are not exactly one valid JSON value (offsets count
     *     from the start of the array)
     */
    public static Object parse(byte[] utf8) {
        return new JsonParser(utf8, 0, utf8.length, 0, null).parseDocument();
    }

    /** Parses one JSON document; offsets in a {@link SyntaxException} count UTF-8 bytes. */
    public static Object parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The compact JSON text of {@code value} (no whitespace between tokens). */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        writeValue(sb, value, "$", 0, false);
        return sb.toString();
    }

    /**
     * The JSON text of {@code value}, indented by two spaces per level, one object member per
     * line; an array that holds no arrays or objects stays on one line ({@code [64, 32]}).
     */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        writeValue(sb, value, "$", 0, true);
        return sb.toString();
    }

    /** Malformed JSON: the message and {@link #offset()} give the byte where it was found. */
    public static final class SyntaxException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final long offset;
        private final String problem;

        SyntaxException(long offset, String problem) {
            super("JSON syntax error at byte " + offset + ": " + problem);
            this.offset = offset;
            this.problem = problem;
        }

        /** The byte offset of the error, counted as the parse call defines. */
        public long offset() {
            return offset;
        }

        /** The message without the offset. */
        public String problem() {
            return problem;
        }
    }

    // ---------------------------------------------------------------- writer

    private static void writeValue(StringBuilder sb, Object v, String path, int depth, boolean pretty) {
        if (depth > MAX_DEPTH)
            throw new IllegalArgumentException("Json.write: nesting deeper than " + MAX_DEPTH + " at " + shorten(path) + " (a cycle?)");
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof CharSequence || v instanceof Character || v instanceof Path || v instanceof TemporalAccessor) {
            writeString(sb, v.toString());
        } else if (v instanceof Enum<?> e) {
            writeString(sb, e.name());
        } else if (v instanceof Float f) {
            writeFloating(sb, f.isNaN() || f.isInfinite(), Float.toString(f), f.doubleValue());
        } else if (v instanceof Double d) {
            writeFloating(sb, d.isNaN() || d.isInfinite(), Double.toString(d), d);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof BigDecimal b) {
            sb.append(b.toString());
        } else if (v instanceof Map<?, ?> m) {
            writeObject(sb, m, path, depth, pretty);
        } else if (v instanceof Iterable<?> it) {
            java.util.List<Object> items = new java.util.ArrayList<>();
            for (Object o : it) items.add(o);
            writeArray(sb, items, path, depth, pretty);
        } else if (v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            java.util.List<Object> items = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) items.add(java.lang.reflect.Array.get(v, i));
            writeArray(sb, items, path, depth, pretty);
        } else {
            throw new IllegalArgumentException("Json.write: cannot write " + v.getClass().getName() + " at " + shorten(path)
                    + "; expected a map, list, array, string, number, boolean, enum, path, java.time value or null");
        }
    }

    private static void writeFloating(StringBuilder sb, boolean nonFinite, String text, double value) {
        if (nonFinite) {
            writeString(sb, Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        } else {
            sb.append(text);
        }
    }

    private static void writeObject(StringBuilder sb, Map<?, ?> m, String path, int depth, boolean pretty) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key))
                throw new IllegalArgumentException("Json.write: map key " + e.getKey() + " at " + shorten(path) + " is "
                        + (e.getKey() == null ? "null" : "a " + e.getKey().getClass().getName()) + "; expected a String");
            if (!first) sb.append(',');
            first = false;
            if (pretty) newline(sb, depth + 1);
            writeString(sb, key);
            sb.append(pretty ? ": " : ":");
            writeValue(sb, e.getValue(), path + "." + key, depth + 1, pretty);
        }
        if (pretty) newline(sb, depth);
        sb.append('}');
    }

    private static void writeArray(StringBuilder sb, java.util.List<Object> items, String path, int depth, boolean pretty) {
        boolean flat = true;
        for (Object o : items) {
            if (o instanceof Map<?, ?> || o instanceof Iterable<?> || (o != null && o.getClass().isArray())) {
                flat = false;
                break;
            }
        }
        sb.append('[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) sb.append(pretty && flat ? ", " : ",");
            if (pretty && !flat) newline(sb, depth + 1);
            writeValue(sb, items.get(i), path + "[" + i + "]", depth + 1, pretty);
        }
        if (pretty && !flat && !items.isEmpty()) newline(sb, depth);
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int depth) {
        sb.append('\n');
        for (int i = 0; i < depth; i++) sb.append("  ");
    }

    private static String shorten(String path) {
        return path.length() <= 200 ? path : path.substring(0, 200) + "...";
    }

    static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)));
                    if (Character.isHighSurrogate(c) && !loneSurrogate) {
                        sb.append(c).append(s.charAt(++i)); // a valid pair: keep as UTF-8
                    } else if (c < 0x20 || c == 0x7f || loneSurrogate) {
                        // control characters, and lone surrogates, which have no UTF-8 encoding
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
