package dev.myelin.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Just enough of tar (ustar) to pull named regular files out of an npm tarball: a dozen lines spare
 * users a dependency or a {@code tar} binary on their PATH.
 */
final class TarReader {
    private static final int BLOCK = 512;

    private TarReader() {
    }

    /**
     * Walks the archive; for each regular file whose path {@code target} maps to a destination (non-null),
     * writes it there. Returns the paths written.
     */
    static List<Path> extract(InputStream tar, Function<String, Path> target) throws IOException {
        List<Path> written = new ArrayList<>();
        byte[] header = new byte[BLOCK];
        while (true) {
            int n = tar.readNBytes(header, 0, BLOCK);
            if (n == 0 || isZero(header)) {
                return written; // end-of-archive marker, or an archive cut at a block boundary
            }
            if (n < BLOCK) {
                throw new IOException("truncated tar header");
            }
            String name = string(header, 0, 100);
            String prefix = string(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            long size = octal(header, 124, 12);
            char type = (char) header[156];
            long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
            Path destination = type == '0' || type == '\0' ? target.apply(name) : null;
            if (destination != null) {
                try (OutputStream out = Files.newOutputStream(destination)) {
                    copy(tar, out, size);
                }
                tar.skipNBytes(padded - size);
                written.add(destination);
            } else {
                tar.skipNBytes(padded);
            }
        }
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("truncated tar entry");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] b, int at, int length) {
        int end = at;
        while (end < at + length && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int at, int length) throws IOException {
        String text = string(b, at, length).trim();
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("bad tar size field '" + text + "'");
        }
    }
}
