package dev.depth.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not what it claims to be: a truncated or corrupt checkpoint, a safetensors header
 * that breaks the format's rules, a configuration file that is not valid JSON. The message names
 * the file, the byte offset where the problem was found and what was expected there, for example
 * {@code model.safetensors: at byte 8: header length 4096 exceeds the 120 bytes that follow it}.
 *
 * <p>Immutable and therefore thread-safe.
 */
public final class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The value of {@link #offset()} when the problem concerns the file as a whole. */
    public static final long NO_OFFSET = -1;

    private final transient Path file;
    private final long offset;
    private final String problem;

    /**
     * @param file the file that was read
     * @param offset the byte offset of the problem from the start of the file, or {@link #NO_OFFSET}
     * @param problem what was found and what was expected
     */
    public FileFormatException(Path file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    /** As {@link #FileFormatException(Path, long, String)}, with the underlying cause. */
    public FileFormatException(Path file, long offset, String problem, Throwable cause) {
        super(file + ": " + (offset >= 0 ? "at byte " + offset + ": " : "") + problem, cause);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    /** The file that was read. */
    public Path file() {
        return file;
    }

    /** The byte offset of the problem from the start of the file, or {@link #NO_OFFSET}. */
    public long offset() {
        return offset;
    }

    /** The message without the file and offset. */
    public String problem() {
        return problem;
    }
}
