package dev.myelin.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Fills an empty cache directory from the first source that works. Files are fetched into a staging
 * directory inside the cache, verified, and only then renamed into place, so the cache never holds a
 * partial or unverified file, even if the process dies half way.
 */
final class MnistFetcher {
    /** Checks one fetched file; throws {@link DataException} when it is not the genuine one. */
    interface Verifier {
        void verify(Path file, String name);
    }

    private final List<MnistSource> sources;
    private final Verifier verifier;

    MnistFetcher(List<MnistSource> sources, Verifier verifier) {
        this.sources = List.copyOf(sources);
        this.verifier = verifier;
    }

    /** Fills {@code cacheDir}; throws a {@link DataException} listing every source's failure. */
    void fetch(Path cacheDir, Consumer<String> log) {
        List<String> failures = new ArrayList<>();
        for (MnistSource source : sources) {
            try {
                Files.createDirectories(cacheDir);
                Path staging = Files.createTempDirectory(cacheDir, ".fetch-");
                try {
                    log.accept("fetching MNIST from " + source.describe());
                    source.fetchInto(staging, log);
                    List<Path> files = new ArrayList<>();
                    for (String name : Mnist.FILES) {
                        Path file = Mnist.find(staging, name);
                        if (file == null) {
                            throw new IOException(name + " was not among the fetched files");
                        }
                        verifier.verify(file, name);
                        files.add(file);
                    }
                    for (Path file : files) {
                        Files.move(file, cacheDir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                    log.accept("MNIST verified and stored in " + cacheDir);
                    return;
                } finally {
                    deleteTree(staging);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException("interrupted while fetching MNIST from " + source.describe(), e);
            } catch (IOException | DataException | UncheckedIOException e) {
                String reason = source.describe() + ": " + oneLine(e);
                log.accept("failed: " + reason);
                failures.add(reason);
            }
        }
        StringBuilder message = new StringBuilder("MNIST is not in " + cacheDir
                + " and could not be fetched. Put these files there (raw or .gz): " + String.join(", ", Mnist.FILES)
                + ", or point --data or MYELIN_DATA at a directory that holds them. Tried:");
        for (String failure : failures) {
            message.append(System.lineSeparator()).append("  ").append(failure);
        }
        throw new DataException(message.toString());
    }

    private static String oneLine(Exception e) {
        // Our own exceptions' messages say it all; for others the class name is the useful part
        // (UnknownHostException: ..., FileNotFoundException: ...).
        boolean ours = e instanceof DataException || e.getClass() == IOException.class;
        String text = ours ? e.getMessage() : e.toString();
        return text.replaceAll("\\s*\\R\\s*", " ");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
