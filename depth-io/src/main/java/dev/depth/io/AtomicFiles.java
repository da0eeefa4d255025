package dev.depth.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces files atomically: readers, and whoever looks after a crash, see either the complete
 * old file or the complete new one under the final name, never a truncated mix.
 *
 * <p>How: the content is written to a new temporary file in the target's directory (named
 * {@code .<name>.<random>.tmp}, so it is on the same file system), forced to the storage device
 * ({@link FileChannel#force}), closed, and then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}. Where the file system cannot rename atomically the rename
 * falls back to a plain {@code REPLACE_EXISTING} move, which may expose a partial file only on
 * such file systems. Finally the directory itself is forced where the platform allows it (Linux),
 * so that the rename survives a power loss. If anything fails before the rename, the temporary
 * file is deleted and the target is left as it was. A crash (of the JVM or the machine) can leave a
 * stale {@code .tmp} file beside the target, but never a damaged target.
 *
 * <p>A symbolic link at the target is replaced by the new file, not followed.
 *
 * <p>Thread safety: the methods are static and may be called concurrently; concurrent writes to
 * the same target each use their own temporary file, and the last rename wins.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of a file to an open channel, positioned at 0. */
    @FunctionalInterface
    public interface ChannelWriter {
        /** Writes the whole content; throwing abandons the write and leaves the target untouched. */
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Atomically replaces (or creates) {@code target} with the bytes {@code body} writes. */
    public static void write(Path target, ChannelWriter body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir))
            throw new java.nio.file.NoSuchFileException(target.toString(), null, "cannot write: the directory " + dir + " does not exist");
        if (Files.isDirectory(abs))
            throw new java.nio.file.FileSystemException(target.toString(), null, "cannot write: it is a directory; expected a file path");
        Path tmp = createTemp(dir, abs.getFileName().toString());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException ignored) {
                    // the original failure is the one to report; a stale temp file is harmless
                }
            }
        }
        forceDirectory(dir);
    }

    /** Atomically replaces (or creates) {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Writes all remaining bytes of {@code buf} (a channel may write fewer per call). */
    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            // The name is only a collision-avoiding tag; it does not influence any result.
            String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
            Path tmp = dir.resolve("." + name + "." + tag + ".tmp");
            try {
                // CREATE_NEW with default permissions, so the final file gets the usual mode (umask),
                // unlike Files.createTempFile's owner-only mode.
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // Not every platform can open or sync a directory (Windows cannot); the rename is done.
        }
    }
}
