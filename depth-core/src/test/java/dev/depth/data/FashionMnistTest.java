package dev.depth.data;

import dev.depth.data.FashionMnist.Origin;
import dev.depth.data.FashionMnist.Part;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FashionMnistTest {
    @TempDir
    Path tmp;

    /** Writes a tiny Fashion-MNIST set of n examples (image k filled with k, label k mod 10). */
    static void writeSet(Path dir, int n, boolean gzip) {
        byte[] pixels = new byte[n * 28 * 28];
        byte[] labels = new byte[n];
        for (int k = 0; k < n; k++) {
            for (int p = 0; p < 784; p++) pixels[k * 784 + p] = (byte) (k * 10 + p % 3);
            labels[k] = (byte) (k % 10);
        }
        byte[] images = IdxFiles.idx(0x08, new int[] {n, 28, 28}, pixels);
        byte[] labelFile = IdxFiles.idx(0x08, new int[] {n}, labels);
        for (Part p : Part.values()) {
            byte[] raw = p.rawName().contains("images") ? images : labelFile;
            IdxFiles.write(dir.resolve(gzip ? p.gzipName() : p.rawName()), gzip ? IdxFiles.gzip(raw) : raw);
        }
    }

    static final FashionMnist.Downloader NO_NETWORK = (source, target) -> fail("tried to download " + source);

    /** A locator with nothing anywhere: empty home, no environment, a missing system directory, no download. */
    FashionMnist.Builder isolated() {
        return FashionMnist.builder()
                .environment(Map.of())
                .home(tmp.resolve("home"))
                .systemDirectory(tmp.resolve("system"))
                .downloader(NO_NETWORK);
    }

    @Test
    void searchOrder() throws IOException {
        Path explicit = tmp.resolve("explicit"), env = tmp.resolve("env"), home = tmp.resolve("home"), sys = tmp.resolve("system");
        writeSet(explicit, 3, true);
        writeSet(env.resolve("fashion-mnist"), 4, false);
        writeSet(home.resolve(FashionMnist.USER_CACHE), 5, true);
        writeSet(sys, 6, true);
        FashionMnist.Builder b = isolated().environment(Map.of("DEPTH_DATA", env.toString()));

        FashionMnist.Location l = b.directory(explicit).build().locate();
        assertEquals(Origin.EXPLICIT, l.origin());
        assertEquals(explicit, l.directory());
        assertEquals(3, FashionMnist.load(l, 100, 100).train().size());

        l = b.directory(null).build().locate();
        assertEquals(Origin.ENVIRONMENT, l.origin());
        assertEquals(env.resolve("fashion-mnist"), l.directory());
        assertEquals(env.resolve("fashion-mnist").resolve("t10k-labels-idx1-ubyte"), l.path(Part.TEST_LABELS));
        assertEquals(4, FashionMnist.load(l, 100, 100).test().size());

        l = b.environment(Map.of("DEPTH_DATA", " ")).build().locate();
        assertEquals(Origin.USER_CACHE, l.origin());
        assertEquals(home.resolve(FashionMnist.USER_CACHE), l.directory());

        deleteTree(home);
        l = b.build().locate();
        assertEquals(Origin.SYSTEM, l.origin());
        assertEquals(6, FashionMnist.load(l, 100, 100).train().size());
    }

    @Test
    void environmentDirectoryMayHoldTheFilesDirectly() throws IOException {
        Path env = tmp.resolve("data");
        writeSet(env, 2, true);
        FashionMnist.Location l = isolated().environment(Map.of("DEPTH_DATA", env.toString())).build().locate();
        assertEquals(Origin.ENVIRONMENT, l.origin());
        assertEquals(env, l.directory());
    }

    @Test
    void incompleteEnvironmentDirectoryFallsThroughToTheNextPlace() throws IOException {
        Path env = tmp.resolve("data");
        writeSet(env, 2, true);
        Files.delete(env.resolve(Part.TRAIN_LABELS.gzipName()));
        writeSet(tmp.resolve("system"), 2, true);
        FashionMnist.Location l = isolated().environment(Map.of("DEPTH_DATA", env.toString())).build().locate();
        assertEquals(Origin.SYSTEM, l.origin());
    }

    @Test
    void explicitDirectoryMustHoldTheFiles() {
        Path explicit = tmp.resolve("explicit");
        writeSet(explicit, 2, true);
        for (Path p : new Path[] {explicit.resolve(Part.TEST_IMAGES.gzipName()), explicit.resolve(Part.TRAIN_LABELS.gzipName())})
            assertDoesNotThrow(() -> Files.delete(p));
        writeSet(tmp.resolve("system"), 2, true); // would be found, but the explicit choice must not be ignored
        IOException e = assertThrows(IOException.class, () -> isolated().directory(explicit).build().locate());
        String m = e.getMessage();
        assertTrue(m.contains("the data directory " + explicit + " (given explicitly, e.g. with --data) does not hold"), m);
        assertTrue(m.contains(explicit + ": incomplete, missing train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz"), m);
        assertTrue(m.contains(explicit.resolve("fashion-mnist") + ": does not exist"), m);

        IOException missing = assertThrows(IOException.class, () -> isolated().directory(tmp.resolve("nope")).build().locate());
        assertTrue(missing.getMessage().contains(tmp.resolve("nope") + ": does not exist"), missing.getMessage());
    }

    @Test
    void explicitDirectoryMayHoldAFashionMnistSubdirectory() throws IOException {
        writeSet(tmp.resolve("data").resolve("fashion-mnist"), 2, false);
        FashionMnist.Location l = isolated().directory(tmp.resolve("data")).build().locate();
        assertEquals(tmp.resolve("data").resolve("fashion-mnist"), l.directory());
    }

    @Test
    void offlineAndNothingFoundSaysWhereItLookedAndWhatToDo() {
        IOException e = assertThrows(IOException.class, () -> isolated()
                .environment(Map.of("DEPTH_DATA", tmp.resolve("env").toString()))
                .downloader((source, target) -> { throw new ConnectException("network unreachable"); })
                .build().locate());
        String m = e.getMessage();
        assertTrue(m.startsWith("Fashion-MNIST not found. Looked in:"), m);
        assertTrue(m.contains(tmp.resolve("env") + ": does not exist"), m);
        assertTrue(m.contains(tmp.resolve("env").resolve("fashion-mnist") + ": does not exist"), m);
        assertTrue(m.contains(tmp.resolve("home").resolve(FashionMnist.USER_CACHE) + ": does not exist"), m);
        assertTrue(m.contains(tmp.resolve("system") + ": does not exist"), m);
        assertTrue(m.contains("network unreachable"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("--data DIR"), m);
        assertTrue(m.contains("DEPTH_DATA"), m);

        IOException noEnv = assertThrows(IOException.class, () -> isolated().downloader(null).build().locate());
        assertTrue(noEnv.getMessage().contains("$DEPTH_DATA: not set"), noEnv.getMessage());
        assertTrue(noEnv.getMessage().contains("download: disabled (offline)"), noEnv.getMessage());
    }

    /** Serves files from a local directory by the URL's last path segment, recording the requests. */
    static class FakeDownloader implements FashionMnist.Downloader {
        final Path served;
        final List<URI> requests = new ArrayList<>();

        FakeDownloader(Path served) {
            this.served = served;
        }

        @Override
        public void download(URI source, Path target) throws IOException {
            requests.add(source);
            String name = source.getPath().substring(source.getPath().lastIndexOf('/') + 1);
            Path file = served.resolve(name);
            if (!Files.exists(file)) throw new IOException("HTTP 404 for " + source);
            Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Map<Part, String> checksumsOf(Path dir) throws IOException {
        Map<Part, String> m = new EnumMap<>(Part.class);
        for (Part p : Part.values()) m.put(p, FashionMnist.sha256(dir.resolve(p.gzipName())));
        return m;
    }

    static List<URI> mirrors() {
        return List.of(URI.create("http://mirror-a.invalid/fm/"), URI.create("https://mirror-b.invalid/data/"));
    }

    @Test
    void downloadsIntoTheUserCacheAfterVerifyingChecksums() throws IOException {
        Path served = tmp.resolve("server");
        writeSet(served, 7, true);
        FakeDownloader fake = new FakeDownloader(served);
        FashionMnist fm = isolated().downloader(fake).mirrors(mirrors()).checksums(checksumsOf(served)).build();
        FashionMnist.Location l = fm.locate();
        assertEquals(Origin.DOWNLOADED, l.origin());
        Path cache = tmp.resolve("home").resolve(FashionMnist.USER_CACHE);
        assertEquals(cache, l.directory());
        assertEquals(4, fake.requests.size());
        assertEquals(URI.create("http://mirror-a.invalid/fm/train-images-idx3-ubyte.gz"), fake.requests.get(0));
        try (var files = Files.list(cache)) {
            assertEquals(4, files.count(), "temporary files were left behind");
        }
        assertEquals(7, FashionMnist.load(l, 100, 100).train().size());
        // next time the cache is found without downloading
        assertEquals(Origin.USER_CACHE, isolated().downloader(NO_NETWORK).build().locate().origin());
    }

    @Test
    void downloadKeepsCachedFilesAndFallsBackToTheNextMirror() throws IOException {
        Path served = tmp.resolve("server");
        writeSet(served, 2, true);
        Path cache = tmp.resolve("home").resolve(FashionMnist.USER_CACHE);
        Files.createDirectories(cache);
        Files.copy(served.resolve(Part.TRAIN_IMAGES.gzipName()), cache.resolve(Part.TRAIN_IMAGES.gzipName()));
        FakeDownloader fake = new FakeDownloader(served) {
            @Override
            public void download(URI source, Path target) throws IOException {
                if (source.getHost().startsWith("mirror-a")) {
                    requests.add(source);
                    throw new IOException("connection refused");
                }
                super.download(source, target);
            }
        };
        FashionMnist.Location l = isolated().downloader(fake).mirrors(mirrors()).checksums(checksumsOf(served)).build().locate();
        assertEquals(Origin.DOWNLOADED, l.origin());
        assertEquals(6, fake.requests.size(), "3 missing files, each tried on both mirrors: " + fake.requests);
    }

    @Test
    void checksumMismatchIsRejectedAndNothingIsKept() throws IOException {
        Path served = tmp.resolve("server");
        writeSet(served, 2, true);
        Map<Part, String> sums = new EnumMap<>(checksumsOf(served));
        sums.put(Part.TRAIN_LABELS, "00".repeat(32));
        FakeDownloader fake = new FakeDownloader(served);
        IOException e = assertThrows(IOException.class,
                () -> isolated().downloader(fake).mirrors(mirrors()).checksums(sums).build().locate());
        String m = e.getMessage();
        assertTrue(m.contains("could not download train-labels-idx1-ubyte.gz"), m);
        assertTrue(m.contains("http://mirror-a.invalid/fm/train-labels-idx1-ubyte.gz: SHA-256 mismatch: got "
                + FashionMnist.sha256(served.resolve(Part.TRAIN_LABELS.gzipName()))), m);
        assertTrue(m.contains("expected " + "00".repeat(32) + "; the file was discarded"), m);
        assertTrue(m.contains("https://mirror-b.invalid/data/train-labels-idx1-ubyte.gz: SHA-256 mismatch"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        Path cache = tmp.resolve("home").resolve(FashionMnist.USER_CACHE);
        assertFalse(Files.exists(cache.resolve(Part.TRAIN_LABELS.gzipName())));
        try (var files = Files.list(cache)) {
            assertEquals(List.of(cache.resolve(Part.TRAIN_IMAGES.gzipName())), files.toList(),
                    "only the verified file is kept, and no temporary file");
        }
    }

    @Test
    void realChecksumsAreEnforcedByDefault() throws IOException {
        Path served = tmp.resolve("server");
        writeSet(served, 2, true);
        IOException e = assertThrows(IOException.class, () -> isolated().downloader(new FakeDownloader(served)).build().locate());
        assertTrue(e.getMessage().contains("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz: SHA-256 mismatch"),
                e.getMessage());
        assertTrue(e.getMessage().contains("expected " + Part.TRAIN_IMAGES.sha256() + " (26421880 bytes)"), e.getMessage());
    }

    @Test
    void firstExamplesOnly() throws IOException {
        writeSet(tmp.resolve("d"), 12, true);
        FashionMnist.Splits s = isolated().directory(tmp.resolve("d")).build().load(5, 3);
        assertEquals(5, s.train().size());
        assertEquals(3, s.test().size());
        assertArrayEquals(new int[] {5, 1, 28, 28}, s.train().features().shape());
        assertEquals(40f / 255f, s.train().features().get(4, 0, 0, 0));
        assertEquals(41f / 255f, s.train().features().get(4, 0, 0, 1));
        assertEquals(4f, s.train().targets().get(4));
    }

    @Test
    void validation() throws IOException {
        Path d = tmp.resolve("d");
        writeSet(d, 3, false);
        Path images = d.resolve(Part.TRAIN_IMAGES.rawName()), labels = d.resolve(Part.TRAIN_LABELS.rawName());
        assertEquals(3, FashionMnist.read(images, labels, 100).size());

        Path fewer = IdxFiles.write(d.resolve("fewer"), IdxFiles.idx(0x08, new int[] {2}, new byte[] {1, 2}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.read(images, fewer, 1));
        assertTrue(e.getMessage().contains("holds 3 images but the labels file " + fewer + " holds 2 labels"), e.getMessage());

        Path badLabel = IdxFiles.write(d.resolve("bad"), IdxFiles.idx(0x08, new int[] {3}, new byte[] {1, 10, 2}));
        e = assertThrows(IdxFormatException.class, () -> FashionMnist.read(images, badLabel, 100));
        assertEquals(badLabel + ": label 10 of example 1 (byte offset 9) is not a class index; expected 0..9", e.getMessage());

        Path wide = IdxFiles.write(d.resolve("wide"), IdxFiles.ubyte(3, 28, 29));
        e = assertThrows(IdxFormatException.class, () -> FashionMnist.read(wide, labels, 100));
        assertEquals(wide + ": IDX dims [3, 28, 29] do not match the expected [any, 28, 28]", e.getMessage());

        Path floats = IdxFiles.write(d.resolve("floats"), IdxFiles.idx(0x0D, new int[] {3}, new byte[12]));
        e = assertThrows(IdxFormatException.class, () -> FashionMnist.read(images, floats, 100));
        assertTrue(e.getMessage().contains("expected 0x08 (unsigned byte)"), e.getMessage());
    }

    // ------------------------------------------------------------ the real files, when installed

    @Test
    void loadsTheDebianPackageFiles() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.SYSTEM_DIRECTORY), "dataset-fashion-mnist is not installed");
        FashionMnist.Splits s = isolated().systemDirectory(FashionMnist.SYSTEM_DIRECTORY).build().load();
        assertArrayEquals(new int[] {60000, 1, 28, 28}, s.train().features().shape());
        assertArrayEquals(new int[] {60000}, s.train().targets().shape());
        assertArrayEquals(new int[] {10000, 1, 28, 28}, s.test().features().shape());
        assertArrayEquals(new int[] {10000}, s.test().targets().shape());
        assertArrayEquals(new float[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, s.train().targets().slice(0, 0, 10).toFloatArray());
        assertArrayEquals(new float[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, s.test().targets().slice(0, 0, 10).toFloatArray());
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : s.test().features().storage()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        // every class occurs 6000 times in the training set
        int[] counts = new int[10];
        for (float y : s.train().targets().storage()) counts[(int) y]++;
        for (int c : counts) assertEquals(6000, c);
    }

    /**
     * The Debian files are the canonical gzip files with the header's file name and time stripped
     * (the deflate data is the same). Restoring the header must give back files whose SHA-256 is
     * the one {@link Part} checks downloads against; this is how those constants were verified
     * (the restored files also match the MD5s published in the Fashion-MNIST README).
     */
    @Test
    void checksumConstantsMatchTheCanonicalFilesRestoredFromDebian() throws Exception {
        assumeTrue(Files.isDirectory(FashionMnist.SYSTEM_DIRECTORY), "dataset-fashion-mnist is not installed");
        Map<Part, Integer> mtimes = Map.of(Part.TRAIN_IMAGES, 1504176606, Part.TRAIN_LABELS, 1504176606,
                Part.TEST_IMAGES, 1504176627, Part.TEST_LABELS, 1504176627);
        for (Part p : Part.values()) {
            Path f = FashionMnist.SYSTEM_DIRECTORY.resolve(p.gzipName());
            assumeTrue(Files.isRegularFile(f));
            byte[] debian = Files.readAllBytes(f);
            assumeTrue(debian[3] == 0, "the Debian file has an unexpected gzip header");
            ByteArrayOutputStream restored = new ByteArrayOutputStream(debian.length + 32);
            restored.write(new byte[] {0x1f, (byte) 0x8b, 8, 8}); // deflate, FNAME set
            restored.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(mtimes.get(p)).array());
            restored.write(new byte[] {0, 3}); // XFL, OS = Unix
            restored.write((p.rawName() + "\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            restored.write(debian, 10, debian.length - 10);
            byte[] bytes = restored.toByteArray();
            assertEquals(p.gzipSize(), bytes.length, p.gzipName());
            assertEquals(p.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), p.gzipName());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
