package dev.depth.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A character-level tokenizer: one id per Unicode code point, for character language models
 * (char-RNN, char-LSTM).
 *
 * <p><b>Ids.</b> {@link #build(CharSequence)} gives every distinct code point of the corpus an id,
 * in increasing code point order ({@code "hello"} gives {@code e=0, h=1, l=2, o=3}).
 * {@link #build(CharSequence, int) build(corpus, maxSize)} keeps only the {@code maxSize - 1} most
 * frequent code points (ties broken by the smaller code point), again in code point order, as ids
 * {@code 1 .. }, and reserves id {@value #UNKNOWN_ID} for the unknown token.
 *
 * <p><b>Unknown characters.</b> With an unknown token, {@link #encode(String)} maps every code
 * point outside the vocabulary to id {@value #UNKNOWN_ID}, and {@link #decode(int[])} turns that id
 * into U+FFFD (the replacement character), so such text does not round-trip. Without one (the
 * full vocabulary of {@link #build(CharSequence)}), encoding an unseen code point throws an
 * {@link IllegalArgumentException} naming it and its position: nothing is silently replaced.
 * A lone surrogate in a Java string counts as a code point of its own (as
 * {@link String#codePoints()} reports it), so any string made of known code points round-trips
 * exactly.
 *
 * <p><b>Text form</b> ({@link #toText()}): {@code depth-tokenizer char-vocabulary 1}, then
 * {@code unknown true|false}, {@code size N}, and N lines each holding the hexadecimal code point of
 * one id in id order (for the unknown id, {@code unknown}).
 *
 * <p>Thread safety: immutable.
 */
public final class CharVocabulary implements Tokenizer {
    /** The kind named in the text form's header. */
    public static final String KIND = "char-vocabulary";
    /** The id of the unknown token, when the vocabulary has one. */
    public static final int UNKNOWN_ID = 0;
    /** What {@link #decode(int[])} writes for the unknown id: U+FFFD. */
    public static final int REPLACEMENT = 0xFFFD;
    private static final String VERSION = "1";

    private final int[] codePoints; // id -> code point; codePoints[0] == -1 when hasUnknown
    private final Map<Integer, Integer> ids; // code point -> id
    private final boolean hasUnknown;

    private CharVocabulary(int[] codePoints, boolean hasUnknown) {
        this.codePoints = codePoints;
        this.hasUnknown = hasUnknown;
        this.ids = new HashMap<>(codePoints.length * 2);
        for (int id = hasUnknown ? 1 : 0; id < codePoints.length; id++) {
            if (ids.put(codePoints[id], id) != null)
                throw new IllegalArgumentException("CharVocabulary: code point U+" + hex(codePoints[id]) + " appears twice");
        }
    }

    /** Every distinct code point of {@code corpus}, in code point order, and no unknown token. */
    public static CharVocabulary build(CharSequence corpus) {
        Objects.requireNonNull(corpus, "CharVocabulary.build: corpus is null");
        int[] distinct = corpus.codePoints().distinct().sorted().toArray();
        return new CharVocabulary(distinct, false);
    }

    /**
     * The {@code maxSize - 1} most frequent code points of {@code corpus} (ties: smaller code point
     * first) as ids {@code 1 ..} in code point order, and the unknown token as id
     * {@value #UNKNOWN_ID}. The vocabulary has {@code min(maxSize, distinct + 1)} ids.
     *
     * @throws IllegalArgumentException if {@code maxSize < 2}
     */
    public static CharVocabulary build(CharSequence corpus, int maxSize) {
        Objects.requireNonNull(corpus, "CharVocabulary.build: corpus is null");
        if (maxSize < 2)
            throw new IllegalArgumentException("CharVocabulary.build: maxSize must be >= 2 (the unknown token and one character), got " + maxSize);
        Map<Integer, long[]> counts = new HashMap<>();
        corpus.codePoints().forEach(cp -> counts.computeIfAbsent(cp, k -> new long[1])[0]++);
        int[] kept = counts.entrySet().stream()
                .sorted((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0])
                        : Integer.compare(a.getKey(), b.getKey()))
                .limit(maxSize - 1L)
                .mapToInt(Map.Entry::getKey).sorted().toArray();
        int[] table = new int[kept.length + 1];
        table[0] = -1;
        System.arraycopy(kept, 0, table, 1, kept.length);
        return new CharVocabulary(table, true);
    }

    /**
     * A vocabulary of exactly these code points as ids {@code 0 ..} in the order given (no unknown
     * token), e.g. to fix a vocabulary by hand.
     */
    public static CharVocabulary of(int... codePoints) {
        return new CharVocabulary(codePoints.clone(), false);
    }

    /** Whether id {@value #UNKNOWN_ID} is the unknown token. */
    public boolean hasUnknown() {
        return hasUnknown;
    }

    /** Whether {@code codePoint} has an id of its own. */
    public boolean contains(int codePoint) {
        return ids.containsKey(codePoint);
    }

    /** The id of {@code codePoint}; the unknown id if it has none and the vocabulary has an unknown token. */
    public int id(int codePoint) {
        Integer id = ids.get(codePoint);
        if (id != null) return id;
        if (hasUnknown) return UNKNOWN_ID;
        throw new IllegalArgumentException("CharVocabulary: character U+" + hex(codePoint) + " is not in the vocabulary of "
                + codePoints.length + " characters, which has no unknown token (build it with a maxSize to map unseen characters to "
                + UNKNOWN_ID + ")");
    }

    /** The code point of {@code id}; {@value #REPLACEMENT} for the unknown id. */
    public int codePoint(int id) {
        if (id < 0 || id >= codePoints.length)
            throw new IllegalArgumentException("CharVocabulary: id " + id + " is not in [0, " + codePoints.length + ")");
        return hasUnknown && id == UNKNOWN_ID ? REPLACEMENT : codePoints[id];
    }

    /**
     * One id per code point of {@code text}.
     *
     * @throws IllegalArgumentException without an unknown token, at the first code point outside the
     *     vocabulary (the message names it and its char index)
     */
    @Override
    public int[] encode(String text) {
        int[] out = new int[text.codePointCount(0, text.length())];
        int k = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            Integer id = ids.get(cp);
            if (id == null) {
                if (!hasUnknown)
                    throw new IllegalArgumentException("CharVocabulary.encode: character U+" + hex(cp) + " at index " + i
                            + " is not in the vocabulary of " + codePoints.length + " characters, which has no unknown token");
                id = UNKNOWN_ID;
            }
            out[k++] = id;
            i += Character.charCount(cp);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder s = new StringBuilder(ids.length);
        for (int id : ids) s.appendCodePoint(codePoint(id));
        return s.toString();
    }

    @Override
    public int vocabSize() {
        return codePoints.length;
    }

    @Override
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(HEADER).append(' ').append(KIND).append(' ').append(VERSION).append('\n');
        s.append("unknown ").append(hasUnknown).append('\n');
        s.append("size ").append(codePoints.length).append('\n');
        for (int id = 0; id < codePoints.length; id++)
            s.append(hasUnknown && id == UNKNOWN_ID ? "unknown" : hex(codePoints[id])).append('\n');
        return s.toString();
    }

    static CharVocabulary fromLines(String[] lines, String version) {
        TextFormat.requireVersion(KIND, version, VERSION);
        TextFormat in = new TextFormat(lines);
        int unknownLine = in.lineNumber();
        String unknown = in.keyed("unknown");
        if (!unknown.equals("true") && !unknown.equals("false"))
            throw new IllegalArgumentException("line " + unknownLine + ": expected 'unknown true' or 'unknown false', got 'unknown " + unknown + "'");
        boolean hasUnknown = unknown.equals("true");
        int size = in.keyedInt("size", hasUnknown ? 1 : 0, Character.MAX_CODE_POINT + 2);
        int[] table = new int[size];
        for (int id = 0; id < size; id++) {
            int number = in.lineNumber();
            String line = in.line("the code point of id " + id).strip();
            if (hasUnknown && id == UNKNOWN_ID) {
                if (!line.equals("unknown"))
                    throw new IllegalArgumentException("line " + number + ": expected 'unknown' for id " + UNKNOWN_ID + ", got '" + TextFormat.shorten(line) + "'");
                table[id] = -1;
                continue;
            }
            int cp;
            try {
                cp = Integer.parseInt(line, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + ": expected the hexadecimal code point of id " + id + ", got '" + TextFormat.shorten(line) + "'");
            }
            if (cp < 0 || cp > Character.MAX_CODE_POINT)
                throw new IllegalArgumentException("line " + number + ": " + line + " is not a code point (0..10FFFF)");
            table[id] = cp;
        }
        in.end();
        try {
            return new CharVocabulary(table, hasUnknown);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("char-vocabulary: " + e.getMessage(), e);
        }
    }

    private static String hex(int cp) {
        return String.format("%04X", cp);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharVocabulary v && v.hasUnknown == hasUnknown && Arrays.equals(v.codePoints, codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints) * 31 + Boolean.hashCode(hasUnknown);
    }

    @Override
    public String toString() {
        return "CharVocabulary(size=" + codePoints.length + ", unknown=" + hasUnknown + ")";
    }
}
