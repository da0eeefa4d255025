package dev.depth.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TextCorpusTest {
    private static final String TAGGED = "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' was/bedz found/vbn ./.\n\n\n"
            + "\tIt/pps cost/vbd 1-1/2/cd dollars/nns (/( about/rb )/) ,/, he/pps said/vbd ;/. why/wrb ?/.\n\n";

    static void writeBrown(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) Files.writeString(dir.resolve(n), TAGGED);
    }

    private static TextCorpus.Builder isolated(Path root) {
        return TextCorpus.builder().environment(Map.of()).home(root.resolve("home"))
                .systemDirectories(List.of(root.resolve("sys1"), root.resolve("sys2")));
    }

    @Test
    void convertsTaggedBrownFilesToPlainText(@TempDir Path root) throws IOException {
        writeBrown(root, "cb02", "ca01", "README");
        String text = TextCorpus.brownToPlainText(TextCorpus.brownFiles(root, new java.util.ArrayList<>()));
        String doc = "The jury said \"no evidence\" was found.\nIt cost 1-1/2 dollars (about), he said; why?\n";
        assertEquals(doc + "\n" + doc, text);
    }

    @Test
    void searchOrder(@TempDir Path root) throws IOException {
        Path explicit = root.resolve("explicit.txt"), env = root.resolve("env.txt");
        Files.writeString(explicit, "explicit");
        Files.writeString(env, "environment");
        writeBrown(root.resolve("sys2"), "ca01");
        Path cache = root.resolve("home").resolve(TextCorpus.USER_CACHE).resolve(TextCorpus.CACHE_FILE);

        // the system directory (the second one; the first is absent) is converted and cached
        TextCorpus c = isolated(root).build().locateAndLoad();
        assertEquals(TextCorpus.Origin.SYSTEM, c.origin());
        assertEquals(root.resolve("sys2"), c.source());
        assertTrue(c.text().startsWith("The jury said"));
        assertEquals(c.text(), Files.readString(cache));
        try (var s = Files.list(cache.getParent())) {
            assertEquals(1, s.count()); // no temporary file left
        }

        // then the cache wins over the system directory
        Files.writeString(cache, "cached");
        c = isolated(root).build().locateAndLoad();
        assertEquals(TextCorpus.Origin.USER_CACHE, c.origin());
        assertEquals("cached", c.text());

        // the environment wins over the cache, the explicit path over everything
        c = isolated(root).environment(Map.of(TextCorpus.ENVIRONMENT_VARIABLE, env.toString())).build().locateAndLoad();
        assertEquals(TextCorpus.Origin.ENVIRONMENT, c.origin());
        assertEquals("environment", c.text());
        c = isolated(root).environment(Map.of(TextCorpus.ENVIRONMENT_VARIABLE, env.toString())).path(explicit).build().locateAndLoad();
        assertEquals(TextCorpus.Origin.EXPLICIT, c.origin());
        assertEquals("explicit", c.text());

        // an environment path that does not exist falls through to the cache
        c = isolated(root).environment(Map.of(TextCorpus.ENVIRONMENT_VARIABLE, root.resolve("nope").toString())).build().locateAndLoad();
        assertEquals(TextCorpus.Origin.USER_CACHE, c.origin());

        // a directory of tagged files is accepted explicitly and through the environment
        c = isolated(root).path(root.resolve("sys2")).build().locateAndLoad();
        assertEquals(TextCorpus.Origin.EXPLICIT, c.origin());
        assertTrue(c.text().contains("\"no evidence\""));
    }

    @Test
    void explicitPathMustBeUsable(@TempDir Path root) {
        Path missing = root.resolve("missing.txt");
        var e = assertThrows(IOException.class, () -> isolated(root).path(missing).build().locateAndLoad());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void nothingFoundSaysWhereItLookedAndHowToInstall(@TempDir Path root) {
        var e = assertThrows(IOException.class, () -> isolated(root).build().locateAndLoad());
        String m = e.getMessage();
        assertTrue(m.contains(TextCorpus.INSTALL_COMMAND), m);
        assertTrue(m.contains("$" + TextCorpus.ENVIRONMENT_VARIABLE + ": not set"), m);
        assertTrue(m.contains(root.resolve("sys1").toString()) && m.contains(root.resolve("sys2").toString()), m);
        assertTrue(m.contains(TextCorpus.CACHE_FILE), m);
    }

    @Test
    void invalidUtf8IsAnErrorNamingTheFileAndOffset(@TempDir Path root) throws IOException {
        Path bad = root.resolve("bad.txt");
        Files.write(bad, new byte[]{'a', 'b', 'c', (byte) 0xC3, '(', 'd'});
        var e = assertThrows(IOException.class, () -> TextCorpus.load(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("byte offset 3"), e.getMessage());
        Path good = root.resolve("good.txt");
        Files.write(good, ("\uFEFFhé 😀").getBytes(StandardCharsets.UTF_8));
        assertEquals("hé 😀", TextCorpus.load(good).text());
    }

    @Test
    void unigramEntropy() {
        assertEquals(1.0, TextCorpus.unigramEntropyBits("aabb"), 1e-12);
        assertEquals(0.0, TextCorpus.unigramEntropyBits("aaaa"), 1e-12);
        assertEquals(0.0, TextCorpus.unigramEntropyBits(""), 1e-12);
        assertEquals(2.0, TextCorpus.unigramEntropyBits("abcd"), 1e-12);
        assertEquals(1.5, TextCorpus.unigramEntropyBits("aabc"), 1e-12);
        assertEquals(1.0, TextCorpus.unigramEntropyBits("😀😀éé"), 1e-12); // code points, not chars
        assertEquals(1.0, TextCorpus.of("abab").unigramEntropyBits(), 1e-12);
    }

    /** The installed Brown Corpus; skipped when absent unless DEPTH_REQUIRE_DATA=1. */
    @Test
    void loadsTheInstalledBrownCorpus() throws IOException {
        TextCorpus corpus;
        try {
            corpus = TextCorpus.load();
        } catch (IOException e) {
            if ("1".equals(System.getenv("DEPTH_REQUIRE_DATA"))) throw e;
            assumeTrue(false, "Brown Corpus not installed (" + TextCorpus.INSTALL_COMMAND + "): " + e.getMessage());
            return;
        }
        String text = corpus.text();
        double h = corpus.unigramEntropyBits();
        System.out.printf("Brown Corpus (%s, %s): %d chars, %d lines, unigram entropy %.4f bits/char%n", corpus.origin(), corpus.source(),
                text.length(), text.lines().count(), h);
        if (corpus.origin() == TextCorpus.Origin.USER_CACHE || corpus.origin() == TextCorpus.Origin.SYSTEM) {
            assertTrue(text.length() > 5_500_000 && text.length() < 6_500_000, "length " + text.length());
            assertTrue(text.startsWith("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election"),
                    text.substring(0, 100));
            long words = text.split("\\s+").length;
            assertTrue(words > 900_000 && words < 1_200_000, words + " words");
        }
        assertTrue(h > 4.0 && h < 4.8, "unigram entropy " + h + " bits/char; English text has about 4.1 to 4.5");
        // the most common characters are space, e, t
        long spaces = text.chars().filter(c -> c == ' ').count(), es = text.chars().filter(c -> c == 'e').count();
        assertTrue(spaces > text.length() / 8 && es > text.length() / 20, "spaces " + spaces + ", e " + es);
        for (String w : new String[]{" the ", " and ", " of "}) assertTrue(text.contains(w), w);
    }
}
