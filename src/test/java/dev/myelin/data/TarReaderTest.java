package dev.myelin.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarReaderTest {
    @TempDir
    Path dir;

    /** Appends a ustar regular-file entry, padded to 512-byte blocks. */
    static void entry(ByteArrayOutputStream tar, String name, byte[] content) {
        header(tar, name, content.length, '0');
        tar.writeBytes(content);
        tar.writeBytes(new byte[(512 - content.length % 512) % 512]);
    }

    static void header(ByteArrayOutputStream tar, String name, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 124, String.format("%011o", size));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        tar.writeBytes(h);
    }

    static void end(ByteArrayOutputStream tar) {
        tar.writeBytes(new byte[1024]);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    @Test
    void extractsOnlyTheWantedRegularFiles() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        header(tar, "package/", 0, '5');
        entry(tar, "package/README.md", "skip me".getBytes(StandardCharsets.UTF_8));
        byte[] big = IdxFiles.sequence(1300); // spans three blocks, the last one partly
        entry(tar, "package/data/big", big);
        entry(tar, "package/data/small", new byte[] {42});
        end(tar);
        List<Path> written = TarReader.extract(new ByteArrayInputStream(tar.toByteArray()),
                name -> name.startsWith("package/data/") ? dir.resolve(name.substring(13)) : null);
        assertThat(written).containsExactly(dir.resolve("big"), dir.resolve("small"));
        assertThat(Files.readAllBytes(dir.resolve("big"))).containsExactly(big);
        assertThat(Files.readAllBytes(dir.resolve("small"))).containsExactly(42);
        assertThat(dir.resolve("README.md")).doesNotExist();
    }

    @Test
    void truncatedEntryIsAnError() {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        entry(tar, "package/data/x", IdxFiles.sequence(2000));
        byte[] cut = Arrays.copyOf(tar.toByteArray(), 512 + 700);
        assertThatThrownBy(() -> TarReader.extract(new ByteArrayInputStream(cut), name -> dir.resolve("x")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
    }
}
