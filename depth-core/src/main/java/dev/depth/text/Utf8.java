package dev.depth.text;

import java.io.ByteArrayOutputStream;

/**
 * UTF-8 both ways, for byte-level tokenizers. Encoding turns every code point of a Java string
 * into its UTF-8 bytes; a lone surrogate (not valid Unicode, but possible in a Java string) becomes
 * the three bytes of its code unit ({@code ED A0..BF 80..BF}, as in WTF-8), so that no string loses
 * information. Decoding accepts well-formed UTF-8 plus those three-byte surrogates and replaces
 * every other ill-formed sequence with U+FFFD, one replacement per maximal ill-formed subpart
 * (the Unicode Standard's recommended practice, section 3.9); it never throws.
 */
final class Utf8 {
    private Utf8() {}

    static byte[] encode(CharSequence s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
        encode(s, out);
        return out.toByteArray();
    }

    static void encode(CharSequence s, ByteArrayOutputStream out) {
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
                i += 2;
            } else {
                i++;
            }
            if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | cp >>> 6);
                out.write(0x80 | cp & 0x3F);
            } else if (cp < 0x10000) { // includes lone surrogates
                out.write(0xE0 | cp >>> 12);
                out.write(0x80 | cp >>> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            } else {
                out.write(0xF0 | cp >>> 18);
                out.write(0x80 | cp >>> 12 & 0x3F);
                out.write(0x80 | cp >>> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            }
        }
    }

    static String decode(byte[] b, int length) {
        StringBuilder out = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int need, lo = 0x80, hi = 0xBF, cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) lo = 0xA0; // no overlong forms; 0xED keeps 80..BF: surrogates are accepted
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) lo = 0x90;
                if (b0 == 0xF4) hi = 0x8F;
            } else {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int j = i + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, j++) {
                int lower = k == 0 ? lo : 0x80, upper = k == 0 ? hi : 0xBF;
                if (j >= length || (b[j] & 0xFF) < lower || (b[j] & 0xFF) > upper) {
                    ok = false;
                    break;
                }
                cp = cp << 6 | b[j] & 0x3F;
            }
            if (!ok) {
                out.append('\uFFFD'); // the lead byte and the valid continuation bytes read so far
                i = j;
                continue;
            }
            out.appendCodePoint(cp);
            i = j;
        }
        return out.toString();
    }
}
