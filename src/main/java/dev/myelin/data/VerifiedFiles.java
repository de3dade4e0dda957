package dev.myelin.data;

import dev.myelin.checkpoint.AtomicFiles;
import dev.myelin.checkpoint.UserCache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The data files that already passed their SHA-256 check, remembered by absolute path, size and
 * modification time, so that a file is hashed when it is new or has changed rather than at every start.
 *
 * <p>Why: hashing MNIST's 55 MB at every {@code train} cost ~0.1 s of CPU and ~0.15 s of the single C2
 * compiler thread (SHA-256's loops compiled, OSR and normal, before the kernels the first step waits
 * for), on a 2-core machine where the data loading and the kernel warm-up already share the cores.
 * A rewritten file gets another size or time and is hashed again; an entry records the sum it was
 * checked against, so a changed expectation also means hashing again.
 *
 * <p>Best effort: a store that cannot be read or written only means hashing again; it never fails a load.
 */
final class VerifiedFiles {
    static final String FILE_NAME = "verified-files.properties";

    private final Path store;
    private final Map<String, String> entries = new TreeMap<>();
    private boolean changed;

    private VerifiedFiles(Path store) {
        this.store = store;
        if (!Files.isRegularFile(store)) {
            return;
        }
        Properties saved = new Properties();
        try (InputStream in = Files.newInputStream(store)) {
            saved.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return; // unreadable or damaged: every file is hashed again, and the store rewritten
        }
        saved.stringPropertyNames().forEach(name -> entries.put(name, saved.getProperty(name)));
    }

    /** The store in the user's cache directory ({@code ~/.cache/myelin}, or under {@code $XDG_CACHE_HOME}). */
    static VerifiedFiles inUserCache() {
        return at(UserCache.dir().resolve(FILE_NAME));
    }

    static VerifiedFiles at(Path store) {
        return new VerifiedFiles(store);
    }

    /**
     * What is remembered of {@code file} as it is now, checked against {@code sha256}: its size, time and
     * the sum; null when its attributes cannot be read. Taken before the file is read, so that a file
     * replaced while it was being hashed is not recorded under the new version's stamp.
     */
    static String stamp(Path file, String sha256) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.size() + " " + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS) + " " + sha256;
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether {@code file} matched its sum when it had this {@code stamp}. */
    synchronized boolean contains(Path file, String stamp) {
        return stamp != null && stamp.equals(entries.get(key(file)));
    }

    /** Records that {@code file}, read with this {@code stamp}, matched its sum; {@link #save} keeps it. */
    synchronized void add(Path file, String stamp) {
        if (stamp != null && !stamp.equals(entries.put(key(file), stamp))) {
            changed = true;
        }
    }

    /**
     * Writes the store when something was added (atomically: a crash leaves the old one), dropping the
     * entries of files that no longer exist.
     */
    synchronized void save() {
        if (!changed) {
            return;
        }
        Properties saved = new Properties();
        entries.forEach((path, stamp) -> {
            if (Files.exists(Path.of(path))) {
                saved.setProperty(path, stamp);
            }
        });
        try {
            Files.createDirectories(store.getParent());
            AtomicFiles.write(store, out -> saved.store(out,
                    "Myelin: data files whose SHA-256 matched, as path=size modified-nanoseconds sha256"));
            changed = false;
        } catch (IOException | RuntimeException e) {
            // A read-only or full cache: the files are hashed again next time, which is all this costs.
        }
    }

    private static String key(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }
}
