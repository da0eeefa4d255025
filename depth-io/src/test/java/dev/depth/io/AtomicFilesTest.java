package dev.depth.io;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("config.json");
        Files.writeString(target, "old");
        AtomicFiles.writeString(target, "new content");
        assertEquals("new content", Files.readString(target));
        assertEquals(List.of("config.json"), names());
    }

    @Test
    void aWriteThatFailsMidwayLeavesThePreviousFileIntact() throws IOException {
        Path target = dir.resolve("model.safetensors");
        byte[] previous = "the previous, complete checkpoint".getBytes(StandardCharsets.UTF_8);
        Files.write(target, previous);
        IOException failure = new IOException("disk full (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[1000])); // half a file is on disk now
            throw failure;
        }));
        assertSame(failure, thrown);
        assertArrayEquals(previous, Files.readAllBytes(target));
        assertEquals(List.of("model.safetensors"), names());
    }

    @Test
    void aRuntimeFailureMidwayIsCleanedUpToo() throws IOException {
        Path target = dir.resolve("x.bin");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[10]));
            throw new IllegalStateException("boom");
        }));
        assertTrue(Files.notExists(target));
        assertEquals(List.of(), names());
    }

    @Test
    void safetensorsSaveThatFailsKeepsTheOldCheckpoint() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Safetensors.save(target, Map.of("w", Tensor.arange(4)));
        byte[] before = Files.readAllBytes(target);
        Map<String, Tensor> failing = new AbstractMap<>() {
            @Override
            public Set<Entry<String, Tensor>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, Tensor>> iterator() {
                        Iterator<Entry<String, Tensor>> it = Map.of("w", Tensor.arange(8)).entrySet().iterator();
                        return new Iterator<>() {
                            int served;

                            @Override
                            public boolean hasNext() {
                                return true;
                            }

                            @Override
                            public Entry<String, Tensor> next() {
                                if (served++ == 0) return it.next();
                                throw new IllegalStateException("tensor source failed (simulated)");
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return 2;
                    }
                };
            }
        };
        assertThrows(IllegalStateException.class, () -> Safetensors.save(target, failing));
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("model.safetensors"), names());
    }

    @Test
    void aReadOnlyDirectoryFailsWithoutDamage() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path target = dir.resolve("model.safetensors");
        Safetensors.save(target, Map.of("w", Tensor.arange(4)));
        byte[] before = Files.readAllBytes(target);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(dir), "running with privileges that ignore permissions (root)");
            assertThrows(IOException.class, () -> Safetensors.save(target, Map.of("w", Tensor.arange(9))));
            assertArrayEquals(before, Files.readAllBytes(target));
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path target = dir.resolve("no/such/dir/model.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> AtomicFiles.writeString(target, "x"));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("dir"), e.getMessage());
    }

    @Test
    void refusesToReplaceADirectory() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        assertThrows(IOException.class, () -> AtomicFiles.writeString(dir.resolve("sub"), "x"));
        assertTrue(Files.isDirectory(dir.resolve("sub")));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
