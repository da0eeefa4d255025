package dev.depth.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CharVocabularyTest {
    static final String[] ODD = {
            "", "a", "hello, world\n", "tab\tand\r\nCRLF", "emoji 😀👍🏽 and flags 🇫🇷", "mixed: Ελληνικά русский 中文 العربية हिन्दी",
            "lone high \uD800 surrogate", "lone low \uDC00 at end \uDBFF", "\uDC00\uD800 reversed pair", "nul \u0000 char", "\uFEFF BOM",
            "combining e\u0301 and \uFFFD replacement"
    };

    @Test
    void idsAreSortedCodePoints() {
        CharVocabulary v = CharVocabulary.build("hello");
        assertEquals(4, v.vocabSize());
        assertArrayEquals(new int[]{1, 0, 2, 2, 3}, v.encode("hello"));
        assertEquals("hole", v.decode(new int[]{1, 3, 2, 0}));
        assertFalse(v.hasUnknown());
    }

    @Test
    void roundTripsOddStrings() {
        // separated, so that a lone high surrogate at the end of one string and a low one at the start
        // of the next do not form a pair
        CharVocabulary v = CharVocabulary.build(String.join("|", ODD));
        for (String s : ODD) {
            int[] ids = v.encode(s);
            assertEquals(s.codePointCount(0, s.length()), ids.length, s);
            assertEquals(s, v.decode(ids), s);
        }
    }

    @Test
    void unseenCharacterWithoutUnknownTokenIsAnErrorNamingIt() {
        CharVocabulary v = CharVocabulary.build("abc");
        var e = assertThrows(IllegalArgumentException.class, () -> v.encode("abz"));
        assertTrue(e.getMessage().contains("U+007A") && e.getMessage().contains("index 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.decode(new int[]{3}));
        assertThrows(IllegalArgumentException.class, () -> v.decode(new int[]{-1}));
    }

    @Test
    void restrictedVocabularyKeepsTheMostFrequentAndMapsTheRestToUnknown() {
        // counts: a=4, b=3, c=2, d=2, e=1; keep 3 most frequent (ties: smaller code point): a, b, c
        CharVocabulary v = CharVocabulary.build("aaaabbbccdde", 4);
        assertEquals(4, v.vocabSize());
        assertTrue(v.hasUnknown());
        assertArrayEquals(new int[]{1, 2, 3, 0, 0, 0}, v.encode("abcdez"));
        assertEquals("abc\uFFFD\uFFFD", v.decode(new int[]{1, 2, 3, 0, 0}));
        assertEquals(CharVocabulary.UNKNOWN_ID, v.id('q'));
        // more room than characters: all of them plus unknown
        assertEquals(6, CharVocabulary.build("aaaabbbccdde", 100).vocabSize());
        assertThrows(IllegalArgumentException.class, () -> CharVocabulary.build("abc", 1));
    }

    @Test
    void saveAndLoad(@TempDir Path dir) throws IOException {
        for (CharVocabulary v : new CharVocabulary[]{CharVocabulary.build(String.join("|", ODD)), CharVocabulary.build("hello world 😀", 5),
                CharVocabulary.build("")}) {
            Path f = dir.resolve("vocab.txt");
            v.save(f);
            Tokenizer back = Tokenizer.load(f);
            assertEquals(v, back);
            assertEquals(v.toText(), back.toText());
        }
        assertTrue(CharVocabulary.build("ab").toText().startsWith("depth-tokenizer char-vocabulary 1\nunknown false\nsize 2\n0061\n0062\n"));
    }

    @Test
    void loadingABadFileNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, "depth-tokenizer char-vocabulary 1\nunknown false\nsize 2\n0061\nzz\n");
        var e = assertThrows(IOException.class, () -> Tokenizer.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("line 5"), e.getMessage());
        Files.writeString(f, "something else\n");
        e = assertThrows(IOException.class, () -> Tokenizer.load(f));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        Files.writeString(f, "depth-tokenizer char-vocabulary 1\nunknown false\nsize 3\n0061\n0062\n");
        e = assertThrows(IOException.class, () -> Tokenizer.load(f));
        assertTrue(e.getMessage().contains("end of the text"), e.getMessage());
        Files.writeString(f, "depth-tokenizer char-vocabulary 1\nunknown false\nsize 2\n0061\n0061\n");
        e = assertThrows(IOException.class, () -> Tokenizer.load(f));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }
}
