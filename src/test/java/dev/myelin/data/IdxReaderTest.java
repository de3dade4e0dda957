package dev.myelin.data;

import static dev.myelin.data.IdxFiles.cut;
import static dev.myelin.data.IdxFiles.gzip;
import static dev.myelin.data.IdxFiles.idx;
import static dev.myelin.data.IdxFiles.images;
import static dev.myelin.data.IdxFiles.labels;
import static dev.myelin.data.IdxFiles.sequence;
import static dev.myelin.data.IdxFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsRawImages() {
        byte[] pixels = sequence(3 * 4 * 5);
        IdxImages read = IdxReader.readImages(write(dir, "images-idx3-ubyte", images(3, 4, 5, pixels)));
        assertThat(read.count()).isEqualTo(3);
        assertThat(read.rows()).isEqualTo(4);
        assertThat(read.cols()).isEqualTo(5);
        assertThat(read.pixels()).containsExactly(pixels);
    }

    @Test
    void readsGzippedImagesWhateverTheName() {
        byte[] pixels = sequence(2 * 3 * 3);
        // No .gz in the name: gzip must be told by its magic bytes.
        IdxImages read = IdxReader.readImages(write(dir, "images", gzip(images(2, 3, 3, pixels))));
        assertThat(read.count()).isEqualTo(2);
        assertThat(read.pixels()).containsExactly(pixels);
    }

    @Test
    void readsRawFileNamedGz() {
        byte[] pixels = sequence(4);
        IdxImages read = IdxReader.readImages(write(dir, "images.gz", images(1, 2, 2, pixels)));
        assertThat(read.pixels()).containsExactly(pixels);
    }

    @Test
    void readsLabelsRawAndGzipped() {
        byte[] values = {0, 9, 3, (byte) 255, 7};
        assertThat(IdxReader.readLabels(write(dir, "raw", labels(values)))).containsExactly(values);
        assertThat(IdxReader.readLabels(write(dir, "gz", gzip(labels(values))))).containsExactly(values);
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("nothing-here-idx3-ubyte")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("nothing-here-idx3-ubyte")
                .hasMessageContaining("missing");
    }

    @Test
    void wrongMagicSaysWhatWasFoundAndExpected() {
        Path file = write(dir, "labels-idx1-ubyte", labels(new byte[] {1, 2}));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("labels-idx1-ubyte")
                .hasMessageContaining("wrong magic number 0x00000801")
                .hasMessageContaining("expected 0x00000803");
    }

    @Test
    void truncatedMagic() {
        Path file = write(dir, "tiny", new byte[] {0, 0});
        assertThatThrownBy(() -> IdxReader.readLabels(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("tiny")
                .hasMessageContaining("truncated header")
                .hasMessageContaining("holds 2 bytes");
    }

    @Test
    void truncatedHeader() {
        Path file = write(dir, "short-header", cut(images(1, 2, 2, sequence(4)), 10));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("short-header")
                .hasMessageContaining("truncated header: expected 16 bytes, the file holds 10");
    }

    @Test
    void truncatedRawDataSaysExpectedAndFound() {
        Path file = write(dir, "t10k-images-idx3-ubyte", cut(images(10, 28, 28, sequence(7840)), 16 + 1234));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("t10k-images-idx3-ubyte")
                .hasMessageContaining("truncated: header says 10 images of 28x28 (7840 bytes) but the file holds 1234");
    }

    @Test
    void truncatedGzippedDataSaysExpectedAndFound() {
        Path file = write(dir, "t10k-images-idx3-ubyte.gz", gzip(cut(images(10, 28, 28, sequence(7840)), 16 + 1234)));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("t10k-images-idx3-ubyte.gz")
                .hasMessageContaining("truncated: header says 10 images of 28x28 (7840 bytes) but the file holds 1234");
    }

    @Test
    void truncatedLabels() {
        Path file = write(dir, "labels", cut(labels(new byte[100]), 8 + 60));
        assertThatThrownBy(() -> IdxReader.readLabels(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("labels")
                .hasMessageContaining("header says 100 labels (100 bytes) but the file holds 60");
    }

    @Test
    void trailingBytesAreRejectedRawAndGzipped() {
        byte[] content = Arrays.copyOf(images(1, 2, 2, sequence(4)), 16 + 4 + 3);
        for (Path file : new Path[] {write(dir, "extra", content), write(dir, "extra.gz", gzip(content))}) {
            assertThatThrownBy(() -> IdxReader.readImages(file))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining(file.getFileName().toString())
                    .hasMessageContaining("3 unexpected bytes after the data");
        }
    }

    @Test
    void nonPositiveDimensions() {
        Path zero = write(dir, "zero", idx(IdxReader.IMAGES_MAGIC, new int[] {0, 28, 28}, new byte[0]));
        Path negative = write(dir, "negative", idx(IdxReader.IMAGES_MAGIC, new int[] {5, -28, 28}, new byte[0]));
        assertThatThrownBy(() -> IdxReader.readImages(zero))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("zero")
                .hasMessageContaining("non-positive dimension in header: 0 x 28 x 28");
        assertThatThrownBy(() -> IdxReader.readImages(negative))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("negative")
                .hasMessageContaining("5 x -28 x 28");
    }

    @Test
    void hugeHeaderIsRefusedWithoutAllocating() {
        byte[] content = idx(IdxReader.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, 28, 28}, sequence(100));
        long claimed = (long) Integer.MAX_VALUE * 28 * 28;
        for (Path file : new Path[] {write(dir, "huge", content), write(dir, "huge.gz", gzip(content))}) {
            assertThatThrownBy(() -> IdxReader.readImages(file))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining(file.getFileName().toString())
                    .hasMessageContaining("truncated: header says 2147483647 images of 28x28 (" + claimed + " bytes)")
                    .hasMessageContaining("holds 100");
        }
    }

    @Test
    void corruptGzipStreamIsNamed() {
        byte[] gz = gzip(images(4, 8, 8, sequence(256)));
        Path cutShort = write(dir, "cut.gz", cut(gz, gz.length / 2));
        byte[] garbled = gz.clone();
        for (int i = 12; i < garbled.length - 8; i++) {
            garbled[i] ^= 0x5a;
        }
        Path scrambled = write(dir, "scrambled.gz", garbled);
        for (Path file : new Path[] {cutShort, scrambled}) {
            assertThatThrownBy(() -> IdxReader.readImages(file))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining(file.getFileName().toString())
                    .hasMessageContaining("gzip stream");
        }
    }

    @Test
    void gzipWithSeveralMembersIsReadInFull() {
        // Concatenated members are valid gzip, but the trailer then records only the last one's size.
        byte[] content = images(2, 4, 4, sequence(32));
        byte[] first = gzip(Arrays.copyOf(content, 20));
        byte[] second = gzip(Arrays.copyOfRange(content, 20, content.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        IdxImages read = IdxReader.readImages(write(dir, "members.gz", both));
        assertThat(read.pixels()).containsExactly(sequence(32));
    }
}
