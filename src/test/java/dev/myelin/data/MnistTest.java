package dev.myelin.data;

import static dev.myelin.data.IdxFiles.gzip;
import static dev.myelin.data.IdxFiles.images;
import static dev.myelin.data.IdxFiles.labels;
import static dev.myelin.data.IdxFiles.sequence;
import static dev.myelin.data.IdxFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir
    Path dir;

    static Path realMnist() {
        String root = System.getenv("MYELIN_TEST_DATA");
        Path mnist = root == null ? null : Path.of(root, "mnist");
        Assumptions.assumeTrue(mnist != null && Files.isDirectory(mnist),
                "MNIST not found at " + mnist + ": set MYELIN_TEST_DATA to a directory holding mnist/*-ubyte[.gz]");
        return mnist;
    }

    private static int[] histogram(Dataset data) {
        int[] counts = new int[data.classes()];
        for (float label : data.labels()) {
            counts[(int) label]++;
        }
        return counts;
    }

    @Test
    void loadsRealMnist() {
        Mnist.MnistData mnist = Mnist.load(realMnist());
        assertThat(mnist.train().count()).isEqualTo(60_000);
        assertThat(mnist.test().count()).isEqualTo(10_000);
        assertThat(mnist.train().featureSize()).isEqualTo(784);
        assertThat(mnist.train().classes()).isEqualTo(10);
        // The published per-class counts of the standard split.
        assertThat(histogram(mnist.train()))
                .containsExactly(5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949);
        assertThat(histogram(mnist.test())).containsExactly(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
        for (Dataset data : new Dataset[] {mnist.train(), mnist.test()}) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : data.features()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertThat(min).isEqualTo(0f);
            assertThat(max).isEqualTo(1f);
        }
        // First training image is a 5 with ink in the middle rows.
        assertThat(mnist.train().labels()[0]).isEqualTo(5f);
        assertThat(mnist.train().features()[14 * 28 + 14]).isGreaterThan(0f);
    }

    @Test
    void realFilesThatMatchedAreRememberedByPathSizeAndTime() {
        Path mnist = realMnist();
        VerifiedFiles verified = VerifiedFiles.at(dir.resolve(VerifiedFiles.FILE_NAME));
        Mnist.load(mnist, verified);
        VerifiedFiles reloaded = VerifiedFiles.at(dir.resolve(VerifiedFiles.FILE_NAME));
        for (String name : Mnist.FILES) {
            assertThat(reloaded.contains(Mnist.find(mnist, name), VerifiedFiles.stamp(Mnist.find(mnist, name), Mnist.sha256Of(name)))).as(name).isTrue();
        }
    }

    /** A remembered file is not hashed again: only a change of size or time brings the check back. */
    @Test
    void aRememberedFileSkipsTheCheckUntilItChanges() throws Exception {
        Path[] files = {
                write(dir, "train-images-idx3-ubyte", images(1, 2, 2, sequence(4))),
                write(dir, "train-labels-idx1-ubyte", labels(new byte[] {1})),
                write(dir, "t10k-images-idx3-ubyte", images(1, 2, 2, sequence(4))),
                write(dir, "t10k-labels-idx1-ubyte", labels(new byte[] {1}))};
        Path store = dir.resolve("store").resolve(VerifiedFiles.FILE_NAME);
        VerifiedFiles claimed = VerifiedFiles.at(store);
        for (int i = 0; i < files.length; i++) {
            claimed.add(files[i], VerifiedFiles.stamp(files[i], Mnist.sha256Of(Mnist.FILES[i])));
        }
        claimed.save();
        assertThat(Mnist.load(dir, VerifiedFiles.at(store)).train().count()).isEqualTo(1);

        Files.setLastModifiedTime(files[0], java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(files[0]).toMillis() + 1000));
        assertThatThrownBy(() -> Mnist.load(dir, VerifiedFiles.at(store)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("train-images-idx3-ubyte: SHA-256 mismatch");
    }

    @Test
    void loadsTheTestSetAlone() {
        Mnist.MnistData both = Mnist.load(realMnist());
        Dataset test = Mnist.loadTest(realMnist());
        assertThat(test.count()).isEqualTo(10_000);
        assertThat(test.features()).isEqualTo(both.test().features());
        assertThat(test.labels()).isEqualTo(both.test().labels());
    }

    @Test
    void loadingTheTestSetAloneNamesAMissingFile() {
        write(dir, "t10k-images-idx3-ubyte", images(1, 2, 2, sequence(4)));
        assertThatThrownBy(() -> Mnist.loadTest(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte: missing file");
    }

    @Test
    void verifiesRealFilesAgainstPublishedSums() {
        Path mnist = realMnist();
        for (String name : Mnist.FILES) {
            Mnist.verify(Mnist.find(mnist, name), name);
        }
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> Mnist.load(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("missing")
                .hasMessageContaining(dir.toString());
    }

    @Test
    void countMismatchNamesBothFiles() {
        write(dir, "train-images-idx3-ubyte.gz", gzip(images(3, 2, 2, sequence(12))));
        write(dir, "train-labels-idx1-ubyte", labels(new byte[] {1, 2}));
        write(dir, "t10k-images-idx3-ubyte", images(1, 2, 2, sequence(4)));
        write(dir, "t10k-labels-idx1-ubyte", labels(new byte[] {1}));
        assertThatThrownBy(() -> Mnist.load(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("train-images-idx3-ubyte.gz holds 3 images")
                .hasMessageContaining("train-labels-idx1-ubyte holds 2 labels");
    }

    @Test
    void wellFormedButWrongContentFailsTheChecksum() {
        write(dir, "train-images-idx3-ubyte", images(1, 2, 2, sequence(4)));
        write(dir, "train-labels-idx1-ubyte", labels(new byte[] {1}));
        write(dir, "t10k-images-idx3-ubyte", images(1, 2, 2, sequence(4)));
        write(dir, "t10k-labels-idx1-ubyte", labels(new byte[] {1}));
        assertThatThrownBy(() -> Mnist.load(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("SHA-256 mismatch")
                .hasMessageContaining("expected ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db")
                .hasMessageMatching("(?s).*hashes to [0-9a-f]{64}.*");
    }

    @Test
    void verifyRejectsAWrongFile() {
        Path file = write(dir, "t10k-labels-idx1-ubyte.gz", gzip(labels(new byte[] {1, 2, 3})));
        assertThatThrownBy(() -> Mnist.verify(file, "t10k-labels-idx1-ubyte"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte.gz")
                .hasMessageContaining("expected ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    }
}
