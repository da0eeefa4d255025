package dev.depth.io;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strict JSON reader behind {@link Json#parse}: recursive descent over UTF-8 bytes, so that
 * every error can name an exact byte offset (of the file, when {@code base} is the offset of the
 * JSON text in it). Not thread-safe; one instance parses one document.
 */
final class JsonParser {
    private final byte[] b;
    private final int end;
    private final long base;
    /** Where each parsed object and array began (absolute offsets), when the caller asks for it. */
    private final IdentityHashMap<Object, Long> positions;
    private int pos;
    private int depth;

    /**
     * Parses {@code b[from, to)}; offsets in errors and in {@code positions} are
     * {@code base + (index - from)}.
     */
    JsonParser(byte[] b, int from, int to, long base, IdentityHashMap<Object, Long> positions) {
        this.b = b;
        this.pos = from;
        this.end = to;
        this.base = base - from;
        this.positions = positions;
    }

    Object parseDocument() {
        skipWhitespace();
        Object v = parseValue();
        skipWhitespace();
        if (pos < end) throw error(pos, "unexpected " + describe(pos) + " after the JSON value; expected the end of the text");
        return v;
    }

    private Object parseValue() {
        if (pos >= end) throw error(pos, "unexpected end of the text; expected a value");
        int c = b[pos] & 0xff;
        switch (c) {
            case '{':
                return parseObject();
            case '[':
                return parseArray();
            case '"':
                return parseString();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return parseNumber();
                throw error(pos, "unexpected " + describe(pos) + "; expected a value (object, array, string, number, true, false or null)");
        }
    }

    private Map<String, Object> parseObject() {
        int start = pos;
        enter(start);
        pos++; // '{'
        Map<String, Object> m = new LinkedHashMap<>();
        if (positions != null) positions.put(m, base + start);
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return m;
        }
        while (true) {
            skipWhitespace();
            int keyAt = pos;
            if (peek() != '"') throw error(pos, "unexpected " + describe(pos) + "; expected a string key");
            String key = parseString();
            if (m.containsKey(key)) throw error(keyAt, "duplicate key " + quote(key) + " in the object that begins at byte " + (base + start));
            skipWhitespace();
            if (peek() != ':') throw error(pos, "unexpected " + describe(pos) + " after key " + quote(key) + "; expected ':'");
            pos++;
            skipWhitespace();
            m.put(key, parseValue());
            skipWhitespace();
            int c = peek();
            pos++;
            if (c == '}') break;
            if (c != ',') throw error(pos - 1, "unexpected " + describe(pos - 1) + " in an object; expected ',' or '}'");
        }
        depth--;
        return m;
    }

    private List<Object> parseArray() {
        int start = pos;
        enter(start);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        if (positions != null) positions.put(list, base + start);
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(parseValue());
            skipWhitespace();
            int c = peek();
            pos++;
            if (c == ']') break;
            if (c != ',') throw error(pos - 1, "unexpected " + describe(pos - 1) + " in an array; expected ',' or ']'");
        }
        depth--;
        return list;
    }

    private void enter(int at) {
        if (++depth > Json.MAX_DEPTH) throw error(at, "nesting deeper than " + Json.MAX_DEPTH + " arrays and objects");
    }

    private Object literal(String word, Object value) {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= end || b[pos + i] != word.charAt(i))
                throw error(pos, "unexpected " + describe(pos) + "; expected a value (object, array, string, number, true, false or null)");
        }
        pos += word.length();
        return value;
    }

    private Object parseNumber() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) throw error(start, "number with a leading zero; expected 0 or a digit 1-9 first");
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error(pos, "unexpected " + describe(pos) + " in a number; expected a digit");
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error(pos, "unexpected " + describe(pos) + " after a decimal point; expected a digit");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error(pos, "unexpected " + describe(pos) + " in an exponent; expected a digit");
            while (isDigit(peek())) pos++;
        }
        String text = new String(b, start, pos - start, StandardCharsets.US_ASCII);
        if (integral) {
            if (pos - start <= 18) return Long.parseLong(text);
            BigInteger big = new BigInteger(text);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) throw error(start, "number " + text + " is beyond the range of a double");
        return d;
    }

    private String parseString() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= end) throw error(start, "string is not terminated; expected a closing '\"'");
            int c = b[pos] & 0xff;
            if (c == '"') {
                pos++;
                return sb.toString();
            } else if (c == '\\') {
                escape(sb);
            } else if (c < 0x20) {
                throw error(pos, "control character " + String.format("0x%02x", c) + " in a string; expected it escaped (\\n, \\u00XX)");
            } else if (c < 0x80) {
                sb.append((char) c);
                pos++;
            } else {
                sb.appendCodePoint(utf8());
            }
        }
    }

    private void escape(StringBuilder sb) {
        int at = pos;
        if (pos + 1 >= end) throw error(at, "string ends inside an escape sequence");
        int c = b[pos + 1] & 0xff;
        pos += 2;
        switch (c) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = pos < end ? Character.digit(b[pos], 16) : -1;
                    if (d < 0) throw error(at, "\\u escape needs four hexadecimal digits");
                    v = v * 16 + d;
                    pos++;
                }
                sb.append((char) v); // surrogate pairs arrive as two escapes and join in the String
            }
            default -> throw error(at, "invalid escape \\" + (char) c + "; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
        }
    }

    /** Decodes one multi-byte UTF-8 sequence at {@code pos}, rejecting overlong forms and surrogates. */
    private int utf8() {
        int at = pos;
        int c = b[pos] & 0xff;
        int n, cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1; cp = c & 0x1f; min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2; cp = c & 0x0f; min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3; cp = c & 0x07; min = 0x10000;
        } else {
            throw error(at, "invalid UTF-8 byte " + String.format("0x%02x", c));
        }
        for (int i = 1; i <= n; i++) {
            if (at + i >= end || (b[at + i] & 0xc0) != 0x80) throw error(at, "truncated or invalid UTF-8 sequence");
            cp = (cp << 6) | (b[at + i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw error(at, "invalid UTF-8 sequence (overlong, surrogate or out of range)");
        pos += n + 1;
        return cp;
    }

    private void skipWhitespace() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
            pos++;
        }
    }

    private int peek() {
        return pos < end ? b[pos] & 0xff : -1;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private String describe(int at) {
        if (at >= end) return "end of the text";
        int c = b[at] & 0xff;
        if (c >= 0x21 && c < 0x7f) return "'" + (char) c + "'";
        return String.format("byte 0x%02x", c);
    }

    private Json.SyntaxException error(int at, String problem) {
        return new Json.SyntaxException(base + at, problem);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        Json.writeString(sb, s.length() <= 100 ? s : s.substring(0, 100) + "...");
        return sb.toString();
    }
}
