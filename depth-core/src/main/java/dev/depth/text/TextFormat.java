package dev.depth.text;

/** Reading the line-based text forms of tokenizers: the lines, a cursor and errors that name the line. */
final class TextFormat {
    private final String[] lines;
    private int next = 1; // index of the next line to read (line 0 is the header)

    TextFormat(String[] lines) {
        this.lines = lines;
    }

    /** The current line number (1-based) of the line {@link #line()} returns next. */
    int lineNumber() {
        return next + 1;
    }

    /** The next line. */
    String line(String expected) {
        if (next >= lines.length || next == lines.length - 1 && lines[next].isEmpty()) throw error("expected " + expected + ", got the end of the text");
        return lines[next++];
    }

    /** The next line, which must read {@code key VALUE}; returns VALUE. */
    String keyed(String key) {
        int number = lineNumber();
        String line = line("'" + key + " ...'");
        if (!line.startsWith(key + " "))
            throw new IllegalArgumentException("line " + number + ": expected '" + key + " ...', got '" + shorten(line) + "'");
        return line.substring(key.length() + 1).strip();
    }

    /** The next line as {@code key INTEGER}, the integer in {@code [min, max]}. */
    int keyedInt(String key, int min, int max) {
        int number = lineNumber();
        String value = keyed(key);
        return parseInt(value, number, key, min, max);
    }

    IllegalArgumentException error(String message) {
        return new IllegalArgumentException("line " + lineNumber() + ": " + message);
    }

    /** The remaining lines must be empty. */
    void end() {
        while (next < lines.length) {
            if (!lines[next].isBlank())
                throw new IllegalArgumentException("line " + (next + 1) + ": expected the end of the text, got '" + shorten(lines[next]) + "'");
            next++;
        }
    }

    static int parseInt(String value, int lineNumber, String what, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + lineNumber + ": " + what + " must be an integer, got '" + shorten(value) + "'");
        }
        if (v < min || v > max)
            throw new IllegalArgumentException("line " + lineNumber + ": " + what + " must be in [" + min + ", " + max + "], got " + v);
        return v;
    }

    static void requireVersion(String kind, String version, String supported) {
        if (!version.equals(supported))
            throw new IllegalArgumentException("line 1: " + kind + " format version " + version + " is not supported; expected " + supported);
    }

    /** {@code s} cut to 60 characters for an error message. */
    static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
