package dev.myelin.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), raw or gzipped. Every size in a header is checked against what
 * the file really holds before anything is allocated, so a damaged or hostile file gets a
 * {@link DataException} naming it, never an OutOfMemoryError or a half-filled array.
 */
public final class IdxReader {
    static final int LABELS_MAGIC = 0x00000801;
    static final int IMAGES_MAGIC = 0x00000803;

    /** The largest array the JVM reliably hands out. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int BUFFER = 1 << 16;

    private IdxReader() {
    }

    /** Reads an image file (magic 0x00000803: unsigned bytes, 3 dimensions). */
    public static IdxImages readImages(Path file) {
        return readImages(file, null);
    }

    /** Reads a label file (magic 0x00000801: unsigned bytes, 1 dimension). */
    public static byte[] readLabels(Path file) {
        return readLabels(file, null);
    }

    /** As {@link #readImages(Path)}, also feeding the decompressed file, header included, to {@code digest}. */
    static IdxImages readImages(Path file, MessageDigest digest) {
        Idx idx = read(file, IMAGES_MAGIC, digest);
        return new IdxImages(idx.dims[0], idx.dims[1], idx.dims[2], idx.data);
    }

    static byte[] readLabels(Path file, MessageDigest digest) {
        return read(file, LABELS_MAGIC, digest).data;
    }

    /** Gzip is told by its magic bytes, not the name: mirrors and packages disagree on names. */
    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The file's content, decompressed if it is gzipped. */
    static InputStream openDecompressed(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            return isGzip(file) ? new GZIPInputStream(raw, BUFFER) : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private record Idx(int[] dims, byte[] data) {
    }

    private static Idx read(Path file, int magic, MessageDigest digest) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": missing file (no such regular file)");
        }
        boolean gzip = false;
        try {
            gzip = isGzip(file);
            try (InputStream in = open(file, digest)) {
                int[] dims = readHeader(file, in, magic);
                long headerBytes = 4L + 4L * dims.length;
                long expected = 1;
                for (int d : dims) {
                    expected *= d; // at most three factors below 2^31: no overflow
                }
                String what = describe(dims, expected);
                if (gzip) {
                    return readGzipBody(file, in, dims, expected, headerBytes, what, digest);
                }
                long available = Files.size(file) - headerBytes;
                checkSize(file, what, expected, available, "");
                byte[] data = new byte[(int) expected];
                int n = in.readNBytes(data, 0, data.length);
                if (n != expected) {
                    throw new DataException(file + ": truncated while reading: " + what
                            + " but only " + n + " could be read");
                }
                return new Idx(dims, data);
            }
        } catch (ZipException | EOFException e) {
            throw new DataException(file + ": corrupt or truncated " + (gzip ? "gzip stream" : "file")
                    + " (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e, e);
        }
    }

    private static InputStream open(Path file, MessageDigest digest) throws IOException {
        InputStream in = openDecompressed(file);
        if (digest == null) {
            return in;
        }
        digest.reset();
        return new DigestInputStream(in, digest);
    }

    private static int[] readHeader(Path file, InputStream in, int magic) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4) {
            throw new DataException(file + ": truncated header: an IDX file starts with a 4-byte magic number, "
                    + "the file holds " + head.length + " bytes");
        }
        int found = readInt(head, 0);
        if (found != magic) {
            throw new DataException(String.format("%s: wrong magic number 0x%08x%s, expected 0x%08x%s",
                    file, found, kind(found), magic, kind(magic)));
        }
        int rank = magic & 0xff;
        byte[] raw = in.readNBytes(4 * rank);
        if (raw.length < 4 * rank) {
            throw new DataException(file + ": truncated header: expected " + (4 + 4 * rank)
                    + " bytes, the file holds " + (4 + raw.length));
        }
        int[] dims = new int[rank];
        boolean positive = true;
        for (int i = 0; i < rank; i++) {
            dims[i] = readInt(raw, 4 * i);
            positive &= dims[i] > 0;
        }
        if (!positive) {
            throw new DataException(file + ": non-positive dimension in header: " + join(dims, " x "));
        }
        return dims;
    }

    /**
     * A gzip stream does not say up front how much it holds, but its trailer records the decompressed
     * size modulo 2^32; when that agrees with the header the body is read straight into an exact array,
     * otherwise it is counted without being kept, so a lying header costs no memory.
     */
    private static Idx readGzipBody(Path file, InputStream in, int[] dims, long expected, long headerBytes,
                                    String what, MessageDigest digest) throws IOException {
        if (expected <= MAX_ARRAY && gzipTrailerSize(file) == ((expected + headerBytes) & 0xffffffffL)) {
            byte[] data = new byte[(int) expected];
            int n = in.readNBytes(data, 0, data.length);
            long extra = n < expected ? 0 : in.transferTo(OutputStream.nullOutputStream());
            checkSize(file, what, expected, n + extra, " (decompressed)");
            return new Idx(dims, data);
        }
        long available = in.transferTo(OutputStream.nullOutputStream());
        checkSize(file, what, expected, available, " (decompressed)");
        // The trailer disagreed yet the content fits (several gzip members): read it again for real.
        // The header is read, not skipped: skip() would bypass the digest.
        try (InputStream again = open(file, digest)) {
            again.readNBytes((int) headerBytes);
            return new Idx(dims, again.readNBytes((int) expected));
        }
    }

    private static void checkSize(Path file, String what, long expected, long available, String note) {
        if (available < expected) {
            throw new DataException(file + ": truncated: " + what + " but the file holds " + available + note);
        }
        if (available > expected) {
            throw new DataException(file + ": " + (available - expected) + " unexpected bytes after the data: "
                    + what + " but the file holds " + available + note);
        }
        if (expected > MAX_ARRAY) {
            throw new DataException(file + ": too large: " + what + ", more than one Java array can hold");
        }
    }

    private static long gzipTrailerSize(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            if (raf.length() < 4) {
                return -1;
            }
            raf.seek(raf.length() - 4);
            byte[] b = new byte[4];
            raf.readFully(b);
            return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        }
    }

    private static String describe(int[] dims, long bytes) {
        return switch (dims.length) {
            case 1 -> "header says " + dims[0] + " labels (" + bytes + " bytes)";
            case 3 -> "header says " + dims[0] + " images of " + dims[1] + "x" + dims[2] + " (" + bytes + " bytes)";
            default -> "header says " + join(dims, "x") + " (" + bytes + " bytes)";
        };
    }

    private static String kind(int magic) {
        return switch (magic) {
            case LABELS_MAGIC -> " (IDX labels)";
            case IMAGES_MAGIC -> " (IDX images)";
            default -> "";
        };
    }

    private static String join(int[] values, String separator) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : separator).append(values[i]);
        }
        return sb.toString();
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
