package dev.depth.text;

import dev.depth.tensor.Generator;

import java.io.IOException;

/** Texts for tests: pseudo-English from a seeded generator, or the real corpus when installed. */
final class TextSamples {
    private TextSamples() {}

    private static final String[] WORDS = ("the of and to a in is that it was for on are as with his they at be this from have or by "
            + "one had not but what all were when we there can an your which their said if do will each about how up out them then "
            + "she many some so these would other into has more her two like him see time could no make than first been its who now "
            + "people my made over did down only way find use may water long little very after words called just where most know "
            + "government economic university experiment language between through although because however").split(" ");

    /** About {@code chars} characters of sentences of words drawn with Zipf-like frequencies. */
    static String pseudoEnglish(int chars, long seed) {
        Generator gen = new Generator(seed);
        StringBuilder s = new StringBuilder(chars + 64);
        boolean start = true;
        while (s.length() < chars) {
            int r = (int) (WORDS.length * Math.pow(gen.nextDouble(), 2.5));
            String w = WORDS[r];
            if (start) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            s.append(w);
            start = false;
            double p = gen.nextDouble();
            if (p < 0.08) {
                s.append(gen.nextDouble() < 0.3 ? ".\n" : ". ");
                start = true;
            } else if (p < 0.13) s.append(", ");
            else s.append(' ');
        }
        return s.substring(0, chars);
    }

    private static String cached;

    /** The first {@code chars} characters of the installed corpus, or pseudo-English if it is absent. */
    static synchronized String englishOrPseudo(int chars) {
        if (cached == null) {
            try {
                cached = TextCorpus.load().text();
            } catch (IOException e) {
                cached = "";
            }
        }
        return cached.length() >= chars ? cached.substring(0, chars) : pseudoEnglish(chars, 1);
    }

    static String source(int chars) {
        return cached != null && cached.length() >= chars ? "Brown Corpus" : "pseudo-English";
    }
}
