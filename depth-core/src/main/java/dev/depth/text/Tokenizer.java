package dev.depth.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Turns text into token ids {@code 0 .. vocabSize()-1} and back. Language models read the ids as
 * integral floats (see {@link TokenWindows}).
 *
 * <p>A tokenizer has a text form ({@link #toText()}), a few lines of UTF-8 whose first line names
 * the kind and format version ({@value #HEADER} ...), so that a checkpoint can carry the tokenizer
 * its model was trained with (as a metadata string or a file beside it); {@link #fromText(String)}
 * and {@link #load(Path)} read any kind back.
 *
 * <p>Thread safety: the implementations here are immutable after construction; {@code encode} and
 * {@code decode} may be called from several threads at once.
 */
public interface Tokenizer {
    /** The first word of every tokenizer's text form. */
    String HEADER = "depth-tokenizer";

    /** The ids of {@code text}, in order; never null (an empty text gives an empty array). */
    int[] encode(String text);

    /**
     * The text of {@code ids}.
     *
     * @throws IllegalArgumentException if an id is not in {@code [0, vocabSize())}
     */
    String decode(int[] ids);

    /** The number of distinct ids. */
    int vocabSize();

    /** The text form: a {@value #HEADER} header line naming the kind, then the kind's lines. */
    String toText();

    /** Writes {@link #toText()} to {@code file} as UTF-8 (through a temporary file and a rename). */
    default void save(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".part");
        try {
            Files.writeString(tmp, toText(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a tokenizer saved with {@link #save(Path)}, of any kind.
     *
     * @throws IOException if the file cannot be read or is not a tokenizer file; the message names
     *     the file, the line and what was expected
     */
    static Tokenizer load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return fromText(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a tokenizer's text form ({@link #toText()}), dispatching on the header line:
     * {@value CharVocabulary#KIND} or {@value BytePairEncoding#KIND}.
     *
     * @throws IllegalArgumentException if the text is not a tokenizer's text form; the message names
     *     the line and what was expected
     */
    static Tokenizer fromText(String text) {
        String[] lines = text.split("\n", -1);
        String[] header = lines[0].strip().split(" ");
        if (header.length != 3 || !header[0].equals(HEADER))
            throw new IllegalArgumentException("line 1: expected '" + HEADER + " KIND VERSION', got '" + TextFormat.shorten(lines[0]) + "'");
        return switch (header[1]) {
            case CharVocabulary.KIND -> CharVocabulary.fromLines(lines, header[2]);
            case BytePairEncoding.KIND -> BytePairEncoding.fromLines(lines, header[2]);
            default -> throw new IllegalArgumentException("line 1: unknown tokenizer kind '" + header[1] + "'; expected "
                    + CharVocabulary.KIND + " or " + BytePairEncoding.KIND);
        };
    }
}
