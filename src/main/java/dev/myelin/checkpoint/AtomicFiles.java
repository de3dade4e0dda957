package dev.myelin.checkpoint;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.UnaryOperator;

/**
 * Writes a file so that readers see the old content or the new, never a mix: the bytes go to a
 * temporary file in the same folder, are forced to the disk, and the temporary file is then renamed
 * over the target in one atomic step (and the folder is forced, where the platform allows). A write
 * that fails half way (full disk, killed process) leaves the target as it was.
 */
public final class AtomicFiles {
    /** Temporary files are named {@code .<target>.<random>.tmp}: hidden, and never a target's name. */
    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    /** What to write. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, Body body) throws IOException {
        write(target, body, UnaryOperator.identity());
    }

    /**
     * As {@link #write(Path, Body)}, with {@code sink} wrapped around the stream to the disk (tests use it
     * to simulate a full disk).
     */
    public static void write(Path target, Body body, UnaryOperator<OutputStream> sink) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", TEMP_SUFFIX);
        boolean moved = false;
        try {
            readableByAll(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(sink.apply(Channels.newOutputStream(channel)), 1 << 20);
                body.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            forceDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** createTempFile makes the file private (0600); a checkpoint is an ordinary file (0644). */
    private static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system: its default permissions stay
        }
    }

    /** Makes the rename durable; not every platform lets a folder be opened, so failure is ignored. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows: folders cannot be opened; the rename is as durable as the platform makes it.
        }
    }
}
