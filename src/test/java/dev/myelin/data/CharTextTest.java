package dev.myelin.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

public class CharTextTest {
    @TempDir
    Path dir;

    /** ../shared/data/text/moby-dick.txt.gz as surefire passes it, or a skip saying why. */
    public static Path mobyDickOrSkip() {
        String root = System.getenv("MYELIN_TEST_DATA");
        Path file = root == null ? null : Path.of(root, "text", "moby-dick.txt.gz");
        assumeTrue(file != null && Files.isRegularFile(file),
                "Moby Dick not found (MYELIN_TEST_DATA=" + root + "): set MYELIN_TEST_DATA to a folder with text/moby-dick.txt.gz");
        return file;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void vocabularyIsTheSortedDistinctCodePoints() {
        Vocabulary v = Vocabulary.of("hello, wörld 🐋!");
        assertThat(v.characters()).isEqualTo(" !,dehlorwö🐋");
        assertThat(v.size()).isEqualTo(12);
        assertThat(v.encode("🐋 hello")).containsExactly(11, 0, 5, 4, 6, 6, 7);
        assertThat(v.decode(v.encode("world 🐋"))).isEqualTo("world 🐋");
        assertThat(Vocabulary.parse(v.characters()).characters()).isEqualTo(v.characters());
        assertThatThrownBy(() -> v.encode("hex"))
                .hasMessage("character 'x' (U+0078) at position 2 is not in the vocabulary of 12 characters");
        assertThatThrownBy(() -> v.encode("a\tb")).hasMessageContaining("character 'a' (U+0061) at position 0");
        assertThatThrownBy(() -> v.encode("h\t")).hasMessageContaining("character U+0009 at position 1");
        assertThatThrownBy(() -> Vocabulary.parse("ba")).hasMessageContaining("'a' (U+0061) follows 'b' (U+0062)");
    }

    @Test
    void plainAndGzippedFilesReadTheSameWhateverTheirNames() throws IOException {
        String text = "Call me Ishmael. — Some years ago\n";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        Path plain = Files.write(dir.resolve("a.gz"), utf8); // a misleading name
        Path gz = Files.write(dir.resolve("b.txt"), gzip(utf8));
        CharText a = CharText.load(plain, null);
        CharText b = CharText.load(gz, null);
        assertThat(a.length()).isEqualTo(text.length());
        assertThat(b.ids()).containsExactly(a.ids());
        assertThat(a.vocabulary().decode(a.ids())).isEqualTo(text);
        assertThat(CharText.load(gz, 4).vocabulary().characters()).isEqualTo("Cal");
    }

    @Test
    void limitCountsCharactersAndByteOrderMarksAreDropped() throws IOException {
        Path file = Files.write(dir.resolve("bom.txt"), "\uFEFF🐋ab🐋cd".getBytes(StandardCharsets.UTF_8));
        CharText text = CharText.load(file, 4);
        assertThat(text.vocabulary().decode(text.ids())).isEqualTo("🐋ab🐋");
        assertThat(CharText.load(file, 100).length()).isEqualTo(6);
    }

    @Test
    void theEndIsHeldOutForValidation() {
        CharText text = CharText.of("abcdefghijklmnopqrst", null, "test");
        CharText.Split split = text.split(0.1);
        assertThat(split.train()).hasSize(18);
        assertThat(text.vocabulary().decode(split.validation())).isEqualTo("st");
        assertThat(text.split(0.125).validation()).hasSize(2); // 2.5 rounds down, as Python's int() does
        assertThat(text.split(0).validation()).isEmpty();
    }

    @Test
    void chunksContinueEachStreamAndTargetsAreTheNextCharacters() {
        int[] ids = new int[23];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        // 3 streams of 7 (21 and 22 dropped): [0..6], [7..13], [14..20]; chunks of 2: (7 - 1) / 2 = 3.
        CharBatches batches = new CharBatches(ids, 3, 2, "test");
        assertThat(batches.chunks()).isEqualTo(3);
        float[] x = new float[6];
        float[] y = new float[6];
        batches.chunk(0, x, y);
        assertThat(x).containsExactly(0, 1, 7, 8, 14, 15);
        assertThat(y).containsExactly(1, 2, 8, 9, 15, 16);
        batches.chunk(2, x, y);
        assertThat(x).containsExactly(4, 5, 11, 12, 18, 19);
        assertThat(y).containsExactly(5, 6, 12, 13, 19, 20);
        assertThatThrownBy(() -> batches.chunk(3, x, y)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void errorsNameTheFileAndTheSizes() throws IOException {
        Path missing = dir.resolve("nothing.txt");
        assertThatThrownBy(() -> CharText.load(missing, null)).isInstanceOf(DataException.class)
                .hasMessage(missing + ": missing file (no such regular file)");
        assertThatThrownBy(() -> CharText.load(dir, null)).isInstanceOf(DataException.class)
                .hasMessage(dir + ": a folder, not a text file");
        Path empty = Files.write(dir.resolve("empty.txt.gz"), gzip(new byte[0]));
        assertThatThrownBy(() -> CharText.load(empty, null)).isInstanceOf(DataException.class)
                .hasMessageStartingWith(empty + ": empty text");
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[]{'a', 'b', (byte) 0xE9, 'c'});
        assertThatThrownBy(() -> CharText.load(latin1, null)).isInstanceOf(DataException.class)
                .hasMessageStartingWith(latin1 + ": not UTF-8 text: invalid byte sequence at byte 2");
        Path truncated = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(gzip(new byte[5000]), 30));
        assertThatThrownBy(() -> CharText.load(truncated, null)).isInstanceOf(DataException.class)
                .hasMessageStartingWith(truncated + ": corrupt or truncated gzip stream");
        assertThatThrownBy(() -> new CharBatches(new int[100], 8, 16, "the training text of x.txt"))
                .isInstanceOf(DataException.class)
                .hasMessage("the training text of x.txt has 100 characters, fewer than one batch needs: "
                        + "8 streams x (16 + 1) = 136 (use a smaller batch size or context, or more text)");
    }

    @Test
    void mobyDickHasItsKnownSizeAndVocabulary() {
        CharText text = CharText.load(mobyDickOrSkip(), null);
        assertThat(text.length()).isEqualTo(1_190_317);
        assertThat(text.vocabulary().size()).isEqualTo(83);
        assertThat(text.vocabulary().decode(java.util.Arrays.copyOf(text.ids(), 16))).isEqualTo("CHAPTER 1. Loomi");
        CharText.Split split = text.split(CharText.DEFAULT_VALIDATION_FRACTION);
        assertThat(split.validation()).hasSize(119_031);
        assertThat(new CharBatches(split.train(), 32, 128, "moby").chunks()).isEqualTo(261);
    }
}
