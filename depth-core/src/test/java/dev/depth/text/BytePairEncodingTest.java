package dev.depth.text;

import dev.depth.tensor.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BytePairEncodingTest {
    private static final BytePairEncoding.Pretokenizer NONE = BytePairEncoding.Pretokenizer.NONE;

    @Test
    void mergesOnAHandCheckedExample() {
        // "aaabdaaabac": pair counts aa=4, ab=2, others 1 -> merge aa (256): "ZabdZabac";
        // then Za=2 and ab=2 tie, ab (97,98) < Za (256,97) -> merge ab (257): "ZYdZYac";
        // then ZY=2 -> merge (256,257) into 258: "XdXac"; no pair occurs twice any more.
        BytePairEncoding bpe = BytePairEncoding.train("aaabdaaabac", 1000, NONE);
        assertEquals(3, bpe.numMerges());
        assertEquals(259, bpe.vocabSize());
        List<int[]> m = bpe.merges();
        assertArrayEquals(new int[]{'a', 'a'}, m.get(0));
        assertArrayEquals(new int[]{'a', 'b'}, m.get(1));
        assertArrayEquals(new int[]{256, 257}, m.get(2));
        assertArrayEquals(new int[]{258, 'd', 258, 'a', 'c'}, bpe.encode("aaabdaaabac"));
        assertArrayEquals("aaab".getBytes(StandardCharsets.US_ASCII), bpe.tokenBytes(258));
        // encoding applies the earliest merge first: "aab" -> (aa) b -> 256 98, not a (ab)
        assertArrayEquals(new int[]{256, 'b'}, bpe.encode("aab"));
        assertArrayEquals(new int[]{256, 256, 'a'}, bpe.encode("aaaaa"));
    }

    @Test
    void stopsAtTheRequestedVocabularySize() {
        BytePairEncoding bpe = BytePairEncoding.train("aaabdaaabac", 257, NONE);
        assertEquals(1, bpe.numMerges());
        assertEquals(0, BytePairEncoding.train("aaabdaaabac", 256, NONE).numMerges());
        assertThrows(IllegalArgumentException.class, () -> BytePairEncoding.train("abc", 255));
    }

    @Test
    void pairsDoNotSpanChunks() {
        // GPT-2 chunks "ab", " ab", " ab", " ba": the pair "b " spans two chunks and is never counted
        BytePairEncoding bpe = BytePairEncoding.train("ab ab ab ba", 1000);
        assertEquals(List.of("ab", " ab", " ab", " ba"), bpe.pretokenize("ab ab ab ba"));
        assertArrayEquals(new int[]{'a', 'b'}, bpe.merges().get(0)); // ab: 3
        assertArrayEquals(new int[]{' ', 257 - 1}, bpe.merges().get(1)); // " ab": 2
        assertEquals(2, bpe.numMerges());
        // without pretokenizing, "b " occurs twice and is merged
        BytePairEncoding none = BytePairEncoding.train("ab ab ab ba", 1000, NONE);
        assertTrue(none.merges().stream().anyMatch(m -> m[0] == 256 && m[1] == ' '));
    }

    @Test
    void gpt2PretokenizerKeepsEveryCharacter() {
        for (String s : CharVocabularyTest.ODD) {
            assertEquals(s, String.join("", BytePairEncoding.chunks(s, BytePairEncoding.Pretokenizer.GPT2)), s);
        }
        assertEquals(List.of("Hello", ",", " world", "'s", " 123", "  ", " x", "!!", "\n"),
                BytePairEncoding.chunks("Hello, world's 123   x!!\n", BytePairEncoding.Pretokenizer.GPT2));
    }

    @Test
    void roundTripsOddStrings() {
        String corpus = String.join(" ", CharVocabularyTest.ODD).repeat(3) + " the cat sat on the mat, the cat ate the rat";
        for (BytePairEncoding bpe : new BytePairEncoding[]{BytePairEncoding.train(corpus, 400),
                BytePairEncoding.train(corpus, 400, NONE), BytePairEncoding.train("", 400)}) {
            for (String s : CharVocabularyTest.ODD) assertEquals(s, bpe.decode(bpe.encode(s)), bpe + ": " + s);
            assertEquals(corpus, bpe.decode(bpe.encode(corpus)));
        }
        assertEquals(0, BytePairEncoding.train("", 400).encode("").length);
    }

    @Test
    void roundTripsRandomStrings() {
        Generator gen = new Generator(7);
        BytePairEncoding bpe = BytePairEncoding.train("some text to learn a few merges from, some text, some more text", 300);
        for (int t = 0; t < 500; t++) {
            StringBuilder s = new StringBuilder();
            int n = gen.nextInt(20);
            for (int i = 0; i < n; i++) {
                int kind = gen.nextInt(4);
                if (kind == 0) s.append((char) gen.nextInt(0x10000)); // any UTF-16 unit, lone surrogates included
                else if (kind == 1) s.appendCodePoint(0x10000 + gen.nextInt(0x100000));
                else s.append("some text ".charAt(gen.nextInt(10)));
            }
            String str = s.toString();
            assertEquals(str, bpe.decode(bpe.encode(str)));
        }
    }

    @Test
    void decodingArbitraryIdsNeverThrowsAndReplacesInvalidUtf8() {
        BytePairEncoding bpe = BytePairEncoding.train("héllo wörld 😀", 300);
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8);
        assertEquals("\uFFFD", bpe.decode(new int[]{smile[0] & 0xFF, smile[1] & 0xFF})); // truncated: one replacement
        assertEquals("\uFFFDa", bpe.decode(new int[]{0xFF, 'a'}));
        assertEquals("\uFFFD\uFFFD", bpe.decode(new int[]{0xC0, 0x80})); // overlong: both bytes ill-formed
        assertEquals("\uFFFD\uFFFD\uFFFD", bpe.decode(new int[]{0x80, 0x80, 0x80}));
        Generator gen = new Generator(3);
        for (int t = 0; t < 1000; t++) {
            int[] ids = new int[gen.nextInt(12)];
            for (int i = 0; i < ids.length; i++) ids[i] = gen.nextInt(bpe.vocabSize());
            String s = bpe.decode(ids);
            // decoding agrees with the JDK on everything but surrogate forms
            byte[] bytes = new byte[0];
            for (int id : ids) bytes = concat(bytes, bpe.tokenBytes(id));
            if (!hasSurrogateForm(bytes)) assertEquals(new String(bytes, StandardCharsets.UTF_8), s);
        }
        assertThrows(IllegalArgumentException.class, () -> bpe.decode(new int[]{bpe.vocabSize()}));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static boolean hasSurrogateForm(byte[] b) {
        for (int i = 0; i + 1 < b.length; i++) if ((b[i] & 0xFF) == 0xED && (b[i + 1] & 0xFF) >= 0xA0) return true;
        return false;
    }

    @Test
    void trainingIsDeterministic() {
        String corpus = TextSamples.pseudoEnglish(20_000, 11);
        BytePairEncoding a = BytePairEncoding.train(corpus, 500), b = BytePairEncoding.train(corpus, 500);
        assertEquals(a, b);
        assertEquals(a.toText(), b.toText());
        assertEquals(500, a.vocabSize());
        assertArrayEquals(a.encode(corpus), b.encode(corpus));
    }

    @Test
    void incrementalCountsAgreeWithAReferenceThatRecountsEveryMerge() {
        String corpus = TextSamples.pseudoEnglish(3_000, 5) + " aaaa aaaaa abab ababab";
        BytePairEncoding fast = BytePairEncoding.train(corpus, 400);
        assertEquals(referenceMerges(corpus, 400 - 256), fast.merges().stream().map(m -> m[0] + "," + m[1]).toList());
    }

    /** Naive BPE: recount every pair of every chunk occurrence after each merge. */
    private static List<String> referenceMerges(String corpus, int maxMerges) {
        List<int[]> words = new java.util.ArrayList<>();
        for (String c : BytePairEncoding.chunks(corpus, BytePairEncoding.Pretokenizer.GPT2)) {
            byte[] b = Utf8.encode(c);
            int[] w = new int[b.length];
            for (int i = 0; i < b.length; i++) w[i] = b[i] & 0xFF;
            words.add(w);
        }
        List<String> merges = new java.util.ArrayList<>();
        for (int m = 0; m < maxMerges; m++) {
            java.util.Map<Long, Long> counts = new java.util.HashMap<>();
            for (int[] w : words) for (int i = 0; i + 1 < w.length; i++) counts.merge(BytePairEncoding.key(w[i], w[i + 1]), 1L, Long::sum);
            long bestKey = Long.MAX_VALUE, bestCount = 0;
            for (var e : counts.entrySet()) {
                long c = e.getValue();
                if (c >= 2 && (c > bestCount || c == bestCount && e.getKey() < bestKey)) {
                    bestKey = e.getKey();
                    bestCount = c;
                }
            }
            if (bestCount == 0) break;
            int l = (int) (bestKey >>> 32), r = (int) bestKey, id = 256 + m;
            merges.add(l + "," + r);
            for (int k = 0; k < words.size(); k++) {
                int[] w = words.get(k);
                int[] out = new int[w.length];
                int n = 0;
                for (int i = 0; i < w.length; ) {
                    if (i + 1 < w.length && w[i] == l && w[i + 1] == r) {
                        out[n++] = id;
                        i += 2;
                    } else out[n++] = w[i++];
                }
                words.set(k, java.util.Arrays.copyOf(out, n));
            }
        }
        return merges;
    }

    @Test
    void saveAndLoad(@TempDir Path dir) throws IOException {
        BytePairEncoding bpe = BytePairEncoding.train(TextSamples.pseudoEnglish(5_000, 2), 400);
        Path f = dir.resolve("bpe.txt");
        bpe.save(f);
        Tokenizer back = Tokenizer.load(f);
        assertEquals(bpe, back);
        String s = "a new sentence, with 😀 and \uD800";
        assertArrayEquals(bpe.encode(s), back.encode(s));
        BytePairEncoding none = BytePairEncoding.of(List.of(new int[]{'a', 'a'}), NONE);
        assertEquals("depth-tokenizer byte-pair-encoding 1\npretokenizer none\nmerges 1\n97 97\n", none.toText());
        assertEquals(none, Tokenizer.fromText(none.toText()));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.fromText("depth-tokenizer byte-pair-encoding 1\npretokenizer none\nmerges 1\n97 256\n"));
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BytePairEncoding.of(List.of(new int[]{'a', 'a'}, new int[]{'a', 'a'}), NONE));
    }

    @Test
    void encodingFromSeveralThreadsGivesTheSameIds() throws Exception {
        String corpus = TextSamples.pseudoEnglish(50_000, 4);
        BytePairEncoding bpe = BytePairEncoding.train(corpus, 700);
        int[] expected = BytePairEncoding.of(bpe.merges(), bpe.pretokenizer()).encode(corpus); // a fresh cache
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<int[]>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) results.add(pool.submit(() -> bpe.encode(corpus)));
            for (var r : results) assertArrayEquals(expected, r.get());
        } finally {
            pool.shutdown();
        }
        // every merged token's bytes are its two parts' bytes
        List<int[]> merges = bpe.merges();
        for (int i = 0; i < merges.size(); i++) {
            byte[] l = bpe.tokenBytes(merges.get(i)[0]), r = bpe.tokenBytes(merges.get(i)[1]);
            assertArrayEquals(concat(l, r), bpe.tokenBytes(256 + i));
        }
    }

    @Test
    void trainsAThousandMergesOnAMegabyteInSeconds() {
        String corpus = TextSamples.englishOrPseudo(1 << 20);
        long t0 = System.nanoTime();
        BytePairEncoding bpe = BytePairEncoding.train(corpus, 256 + 1000);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        int[] ids = bpe.encode(corpus);
        double encodeSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("BPE: 1000 merges on %d chars (%s) in %.2f s; encoding it: %.2f s, %d tokens (%.2f chars/token)%n",
                corpus.length(), TextSamples.source(corpus.length()), trainSeconds, encodeSeconds, ids.length, (double) corpus.length() / ids.length);
        assertEquals(1256, bpe.vocabSize());
        assertEquals(corpus, bpe.decode(ids));
        assertTrue(trainSeconds < 30, "training took " + trainSeconds + " s"); // generous: shared CI machines
    }
}
