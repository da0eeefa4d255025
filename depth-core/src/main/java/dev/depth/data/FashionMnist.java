package dev.depth.data;

import dev.depth.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, <a href="https://arxiv.org/abs/1708.07747">
 * arXiv:1708.07747</a>): 60,000 training and 10,000 test greyscale images of 28 x 28 pixels of
 * Zalando articles, in 10 classes ({@link #CLASSES}), stored as four IDX files ({@link Part}).
 *
 * <p><b>Where the files are found</b>, in this order (the first directory holding all four files,
 * each gzipped or not, wins; all four come from the same directory):
 * <ol>
 *   <li>the explicit directory ({@link Builder#directory(Path)}; the CLI's {@code --data DIR}),
 *       or its {@value #SUBDIRECTORY} subdirectory; if one is given and does not hold the files,
 *       that is an error: the search does not go on;
 *   <li>the directory in the environment variable {@value #ENVIRONMENT_VARIABLE}, or its
 *       {@value #SUBDIRECTORY} subdirectory;
 *   <li>the user cache, {@code ~/}{@value #USER_CACHE};
 *   <li>the Debian package {@code dataset-fashion-mnist}'s {@link #SYSTEM_DIRECTORY};
 *   <li>a download into the user cache from {@link #MIRRORS} (tried in order): each file goes to a
 *       temporary file, is checked against its SHA-256 ({@link Part#sha256()}) and only then
 *       renamed into place. Files already in the cache are kept.
 * </ol>
 * If nothing is found and the download fails (offline), the exception says where it looked and how
 * to get the data. Every root is injectable ({@link #builder()}), so tests run without network.
 *
 * <p><b>What loading returns.</b> {@link #load()} gives a {@link Splits} of two
 * {@link TensorDataset}s: images of shape (n, 1, 28, 28) whose pixels are kept as bytes (47 MB for
 * the training set rather than 188 MB of floats) and come out of batches as floats divided by 255,
 * in [0, 1] ({@link TensorDataset#ofUnsignedBytes}); labels as float class indices of shape (n). {@link #load(int, int)} keeps only
 * the first examples of each split (for quick runs); the files are still checked in full. The files
 * are validated: unsigned-byte IDX, images n x 28 x 28, labels n, equal counts, labels in 0..9.
 *
 * <p>Thread safety: an instance is immutable; concurrent downloads into the same cache are safe in
 * that each file appears by an atomic rename, but may download the same file twice.
 */
public final class FashionMnist {
    /** The environment variable naming a data directory. */
    public static final String ENVIRONMENT_VARIABLE = "DEPTH_DATA";
    /** The subdirectory of a data directory, and of the cache, that holds the files. */
    public static final String SUBDIRECTORY = "fashion-mnist";
    /** The user cache, relative to the home directory. */
    public static final String USER_CACHE = ".cache/depth/datasets/" + SUBDIRECTORY;
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path SYSTEM_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");
    /**
     * Where the files are downloaded from, in order: Zalando Research's canonical location (the
     * README's download links), then the same files in the project's GitHub repository.
     */
    public static final List<URI> MIRRORS = List.of(
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"));
    /** Image height and width. */
    public static final int IMAGE_SIZE = 28;
    /** The class names, indexed by label. */
    public static final List<String> CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * The four files. The SHA-256 checksums and sizes are those of the canonical gzip files, whose
     * MD5 checksums the Fashion-MNIST README publishes.
     */
    public enum Part {
        TRAIN_IMAGES("train-images-idx3-ubyte", 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        TRAIN_LABELS("train-labels-idx1-ubyte", 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        TEST_IMAGES("t10k-images-idx3-ubyte", 4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
        TEST_LABELS("t10k-labels-idx1-ubyte", 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5");

        private final String rawName;
        private final long gzipSize;
        private final String sha256;

        Part(String rawName, long gzipSize, String sha256) {
            this.rawName = rawName;
            this.gzipSize = gzipSize;
            this.sha256 = sha256;
        }

        /** The uncompressed file name, e.g. {@code train-images-idx3-ubyte}. */
        public String rawName() {
            return rawName;
        }

        /** The gzip file name, e.g. {@code train-images-idx3-ubyte.gz}. */
        public String gzipName() {
            return rawName + ".gz";
        }

        /** The size in bytes of the canonical gzip file. */
        public long gzipSize() {
            return gzipSize;
        }

        /** The SHA-256 of the canonical gzip file, lower-case hex. */
        public String sha256() {
            return sha256;
        }
    }

    /** Where a set of files was found. */
    public enum Origin {
        /** The explicit directory (CLI {@code --data}). */
        EXPLICIT,
        /** The {@value FashionMnist#ENVIRONMENT_VARIABLE} directory. */
        ENVIRONMENT,
        /** The user cache. */
        USER_CACHE,
        /** The system directory of the Debian package. */
        SYSTEM,
        /** Downloaded into the user cache just now. */
        DOWNLOADED
    }

    /**
     * The four files found, all in {@code directory}.
     *
     * @param directory the directory holding them
     * @param origin which search step found them
     * @param files the path of each part (gzipped or not)
     */
    public record Location(Path directory, Origin origin, Map<Part, Path> files) {
        public Location {
            files = Map.copyOf(files);
        }

        public Path path(Part part) {
            return files.get(part);
        }
    }

    /** The training and test splits. */
    public record Splits(TensorDataset train, TensorDataset test) {}

    /**
     * Fetches one URL into a file. Implementations write the complete body to {@code target} (an
     * existing empty temporary file, to be replaced) or throw; checking the content is the
     * caller's job.
     */
    @FunctionalInterface
    public interface Downloader {
        void download(URI source, Path target) throws IOException;
    }

    /** The default downloader: HTTP(S) GET with the JDK's client, following redirects. */
    public static Downloader httpDownloader() {
        return (source, target) -> {
            HttpClient client = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();
            HttpRequest request = HttpRequest.newBuilder(source).timeout(Duration.ofSeconds(60)).GET().build();
            HttpResponse<Path> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofFile(target));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("download of " + source + " interrupted", e);
            }
            if (response.statusCode() != 200)
                throw new IOException("GET " + source + " returned HTTP " + response.statusCode());
        };
    }

    private final Path directory; // nullable
    private final Map<String, String> environment;
    private final Path home; // nullable: no user cache
    private final Path systemDirectory; // nullable: no system directory
    private final Downloader downloader; // nullable: offline
    private final List<URI> mirrors;
    private final Map<Part, String> checksums;

    private FashionMnist(Builder b) {
        this.directory = b.directory;
        this.environment = Map.copyOf(b.environment);
        this.home = b.home;
        this.systemDirectory = b.systemDirectory;
        this.downloader = b.downloader;
        this.mirrors = List.copyOf(b.mirrors);
        this.checksums = Map.copyOf(b.checksums);
    }

    /**
     * A builder whose defaults are the real machine's: no explicit directory,
     * {@link System#getenv()}, the {@code user.home} property, {@link #SYSTEM_DIRECTORY},
     * {@link #httpDownloader()} and {@link #MIRRORS}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Loads both splits with the default search (see the class comment). */
    public static Splits load(Path explicitDirectoryOrNull) throws IOException {
        return builder().directory(explicitDirectoryOrNull).build().load();
    }

    /** Configures where {@link FashionMnist} looks. Not thread safe. */
    public static final class Builder {
        private Path directory;
        private Map<String, String> environment = System.getenv();
        private Path home = homeFromSystem();
        private Path systemDirectory = SYSTEM_DIRECTORY;
        private Downloader downloader = httpDownloader();
        private List<URI> mirrors = MIRRORS;
        private Map<Part, String> checksums = defaultChecksums();

        private Builder() {}

        private static Map<Part, String> defaultChecksums() {
            Map<Part, String> m = new EnumMap<>(Part.class);
            for (Part p : Part.values()) m.put(p, p.sha256());
            return m;
        }

        /** Replaces the expected SHA-256 of downloads (tests only: lets a fake downloader serve small files). */
        Builder checksums(Map<Part, String> checksums) {
            this.checksums = Map.copyOf(checksums);
            return this;
        }

        private static Path homeFromSystem() {
            String h = System.getProperty("user.home");
            return h == null || h.isBlank() ? null : Path.of(h);
        }

        /** The explicit data directory (CLI {@code --data}); null for none. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** The environment to read {@value FashionMnist#ENVIRONMENT_VARIABLE} from. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "FashionMnist: environment is null");
            return this;
        }

        /** The home directory whose {@value FashionMnist#USER_CACHE} is the cache; null for no cache (and no download). */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** The system directory; null to skip it. */
        public Builder systemDirectory(Path systemDirectory) {
            this.systemDirectory = systemDirectory;
            return this;
        }

        /** How to download; null never downloads (offline). */
        public Builder downloader(Downloader downloader) {
            this.downloader = downloader;
            return this;
        }

        /** Base URLs to download from, tried in order (each ending in '/'). */
        public Builder mirrors(List<URI> mirrors) {
            if (mirrors.isEmpty()) throw new IllegalArgumentException("FashionMnist: at least one mirror is needed");
            this.mirrors = List.copyOf(mirrors);
            return this;
        }

        public FashionMnist build() {
            return new FashionMnist(this);
        }
    }

    /** The user cache directory, or null without a home directory. */
    public Path cacheDirectory() {
        return home == null ? null : home.resolve(USER_CACHE);
    }

    /**
     * Finds (or downloads) the four files; see the class comment for the order.
     *
     * @throws IOException if an explicit directory lacks them, or nothing was found and the
     *     download failed; the message says where it looked and how to get the data
     */
    public Location locate() throws IOException {
        List<String> looked = new ArrayList<>();
        if (directory != null) {
            Location found = findIn(directory, Origin.EXPLICIT, looked);
            if (found != null) return found;
            throw new IOException("Fashion-MNIST: the data directory " + directory + " (given explicitly, e.g. with --data) "
                    + "does not hold the four Fashion-MNIST files:\n  " + String.join("\n  ", looked) + "\n" + expectedFiles());
        }
        String env = environment.get(ENVIRONMENT_VARIABLE);
        if (env == null || env.isBlank()) {
            looked.add("$" + ENVIRONMENT_VARIABLE + ": not set");
        } else {
            Location found = findIn(Path.of(env), Origin.ENVIRONMENT, looked);
            if (found != null) return found;
        }
        Path cache = cacheDirectory();
        if (cache == null) {
            looked.add("user cache: no home directory");
        } else {
            Location found = findInOne(cache, Origin.USER_CACHE, looked);
            if (found != null) return found;
        }
        if (systemDirectory != null) {
            Location found = findInOne(systemDirectory, Origin.SYSTEM, looked);
            if (found != null) return found;
        }
        String why;
        if (downloader == null) why = "download: disabled (offline)";
        else if (cache == null) why = "download: impossible without a home directory for the cache";
        else {
            try {
                return download(cache);
            } catch (IOException e) {
                why = "download into " + cache + " failed: " + e.getMessage().replace("\n", "\n    ");
            }
        }
        looked.add(why);
        throw new IOException("Fashion-MNIST not found. Looked in:\n  " + String.join("\n  ", looked) + "\n" + expectedFiles()
                + "\nTo get the data: install the Debian/Ubuntu package (apt-get install dataset-fashion-mnist, which puts the files in "
                + SYSTEM_DIRECTORY + "); or pass --data DIR with a directory holding them; or set " + ENVIRONMENT_VARIABLE
                + " to such a directory (or to one with a " + SUBDIRECTORY + " subdirectory); or allow the download from "
                + mirrors.get(0) + ".");
    }

    private static String expectedFiles() {
        StringBuilder s = new StringBuilder("Expected files (each gzipped or not):");
        for (Part p : Part.values()) s.append(' ').append(p.gzipName());
        return s.toString();
    }

    /** Looks in {@code dir}, then in {@code dir/fashion-mnist}. */
    private static Location findIn(Path dir, Origin origin, List<String> looked) {
        Location found = findInOne(dir, origin, looked);
        return found != null ? found : findInOne(dir.resolve(SUBDIRECTORY), origin, looked);
    }

    private static Location findInOne(Path dir, Origin origin, List<String> looked) {
        if (!Files.isDirectory(dir)) {
            looked.add(dir + ": " + (Files.exists(dir) ? "not a directory" : "does not exist"));
            return null;
        }
        Map<Part, Path> files = new EnumMap<>(Part.class);
        List<String> missing = new ArrayList<>();
        for (Part p : Part.values()) {
            Path f = existing(dir, p);
            if (f != null) files.put(p, f);
            else missing.add(p.gzipName());
        }
        if (missing.isEmpty()) return new Location(dir, origin, files);
        looked.add(dir + ": " + (files.isEmpty() ? "no Fashion-MNIST files" : "incomplete, missing " + String.join(", ", missing)));
        return null;
    }

    private static Path existing(Path dir, Part p) {
        Path gz = dir.resolve(p.gzipName()), raw = dir.resolve(p.rawName());
        return Files.isRegularFile(gz) ? gz : Files.isRegularFile(raw) ? raw : null;
    }

    /** Downloads the parts missing from {@code cache}. */
    private Location download(Path cache) throws IOException {
        Files.createDirectories(cache);
        Map<Part, Path> files = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            Path f = existing(cache, p);
            files.put(p, f != null ? f : downloadPart(p, cache));
        }
        return new Location(cache, Origin.DOWNLOADED, files);
    }

    private Path downloadPart(Part part, Path cache) throws IOException {
        Path target = cache.resolve(part.gzipName());
        List<String> failures = new ArrayList<>();
        for (URI mirror : mirrors) {
            URI source = mirror.resolve(part.gzipName());
            Path tmp = Files.createTempFile(cache, part.gzipName() + ".", ".part");
            try {
                System.getLogger(FashionMnist.class.getName()).log(System.Logger.Level.INFO, "downloading " + source + " to " + target);
                downloader.download(source, tmp);
                String actual = sha256(tmp);
                String expected = checksums.get(part);
                if (!actual.equals(expected)) {
                    failures.add(source + ": SHA-256 mismatch: got " + actual + " (" + Files.size(tmp) + " bytes), expected "
                            + expected + (expected.equals(part.sha256()) ? " (" + part.gzipSize() + " bytes)" : "")
                            + "; the file was discarded");
                    continue;
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return target;
            } catch (IOException e) {
                failures.add(source + ": " + e);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        throw new IOException("could not download " + part.gzipName() + ":\n" + String.join("\n", failures));
    }

    /** The SHA-256 of a file, lower-case hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Finds the files and loads both splits in full. */
    public Splits load() throws IOException {
        return load(Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** Finds the files and loads the first {@code maxTrain} training and {@code maxTest} test examples. */
    public Splits load(int maxTrain, int maxTest) throws IOException {
        return load(locate(), maxTrain, maxTest);
    }

    /** Loads the first {@code maxTrain} and {@code maxTest} examples of the splits at {@code location}. */
    public static Splits load(Location location, int maxTrain, int maxTest) throws IOException {
        return new Splits(
                read(location.path(Part.TRAIN_IMAGES), location.path(Part.TRAIN_LABELS), maxTrain),
                read(location.path(Part.TEST_IMAGES), location.path(Part.TEST_LABELS), maxTest));
    }

    /**
     * Reads one split from an images file and a labels file (IDX, gzipped or not), keeping the first
     * {@code maxExamples}: images (n, 1, 28, 28) in [0, 1], labels (n) as float class indices.
     *
     * @throws IdxFormatException if a file is not valid IDX, the types or dimensions are wrong, the
     *     counts differ or a label is not in 0..9
     */
    public static TensorDataset read(Path imagesFile, Path labelsFile, int maxExamples) throws IOException {
        if (maxExamples < 0) throw new IllegalArgumentException("FashionMnist: maxExamples must be >= 0, got " + maxExamples);
        IdxData labels = IdxReader.read(labelsFile, maxExamples).requireType(IdxType.UNSIGNED_BYTE).requireDims(-1);
        IdxData images = IdxReader.read(imagesFile, maxExamples).requireType(IdxType.UNSIGNED_BYTE)
                .requireDims(-1, IMAGE_SIZE, IMAGE_SIZE);
        if (images.fileDims()[0] != labels.fileDims()[0])
            throw new IdxFormatException("Fashion-MNIST: the images file " + imagesFile + " holds " + images.fileDims()[0]
                    + " images but the labels file " + labelsFile + " holds " + labels.fileDims()[0] + " labels; expected equal counts");
        byte[] raw = labels.bytes();
        float[] y = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            int label = raw[i] & 0xFF;
            if (label >= CLASSES.size())
                throw new IdxFormatException(labelsFile + ": label " + label + " of example " + i + " (byte offset " + (8 + i)
                        + ") is not a class index; expected 0.." + (CLASSES.size() - 1));
            y[i] = label;
        }
        // the pixels stay bytes (a quarter of the memory), decoded as b / 255 batch by batch
        return TensorDataset.ofUnsignedBytes(images.bytes(), 255f, new int[] {1, IMAGE_SIZE, IMAGE_SIZE}, Tensor.wrap(y, y.length));
    }
}
