package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.data.Dataset;
import dev.myelin.data.Mnist;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

public class TrainerTest {
    /** ../shared/data as surefire passes it; the real-MNIST tests skip, saying so, where it is absent. */
    public static Path mnistDirOrSkip() {
        String root = System.getenv("MYELIN_TEST_DATA");
        Path dir = root == null ? null : Path.of(root, "mnist");
        assumeTrue(dir != null && Files.isDirectory(dir),
                "MNIST not found (MYELIN_TEST_DATA=" + root + "): set MYELIN_TEST_DATA to a folder with mnist/ inside");
        return dir;
    }

    /** Two Gaussian blobs per class in 8 dimensions: learnable to near 100 % by any working MLP. */
    private static Dataset blobs(int count, long seed) {
        var random = new SplittableRandom(seed);
        int features = 8;
        int classes = 3;
        float[] x = new float[count * features];
        float[] y = new float[count];
        for (int i = 0; i < count; i++) {
            int label = random.nextInt(classes);
            y[i] = label;
            for (int f = 0; f < features; f++) {
                double centre = (f % classes == label) ? 2 : -1;
                x[i * features + f] = (float) (centre + random.nextGaussian() * 0.5);
            }
        }
        return new Dataset(x, y, count, features, classes);
    }

    @Test
    void anMlpLearnsSeparableDataAndMemoryStaysFlat() {
        Backend cpu = new CpuBackend();
        Dataset train = blobs(2000, 1);
        Dataset test = blobs(500, 2);
        Module net = Models.mlp(cpu, new SplittableRandom(3), 8, 32, 3);
        List<Long> held = new ArrayList<>();
        try (var opt = new Sgd(net.parameters(), 0.05f, 0.9f, 0f, false); var trainer = new Trainer(net, opt)) {
            List<EpochResult> results = trainer.fit(train, test, 3, 50, 7, new TrainingListener() {
                @Override
                public void epochFinished(EpochResult result) {
                    held.add(cpu.memoryStats().bytesInUse() + cpu.memoryStats().bytesCached());
                }
            });
            assertThat(results).hasSize(3);
            assertThat(results.get(2).trainLoss()).isLessThan(results.get(0).trainLoss());
            assertThat(results.get(2).testAccuracy()).isGreaterThan(0.95);
            assertThat(results.get(0).samplesPerSecond()).isPositive();
        }
        assertThat(held.get(2)).as("allocator bytes after epoch 3 vs epoch 2").isEqualTo(held.get(1));
        net.close();
        assertThat(cpu.memoryStats().bytesInUse()).as("everything released after close").isZero();
    }

    @Test
    void theSameSeedGivesTheSameLossesBitForBit() {
        double[] first = lossesFor(11);
        double[] second = lossesFor(11);
        assertThat(second).containsExactly(first);
        assertThat(lossesFor(12)).isNotEqualTo(first);
    }

    private static double[] lossesFor(long seed) {
        Backend cpu = new CpuBackend();
        Module net = Models.mlp(cpu, new SplittableRandom(seed), 8, 16, 3);
        try (var opt = new Adam(net.parameters(), 1e-2f); var trainer = new Trainer(net, opt)) {
            return trainer.fit(blobs(300, 5), blobs(100, 6), 2, 32, seed, TrainingListener.NONE).stream()
                    .mapToDouble(EpochResult::trainLoss).toArray();
        } finally {
            net.close();
        }
    }

    @Test
    void theDefaultMlpLearnsASliceOfRealMnist() {
        Mnist.MnistData mnist = Mnist.load(mnistDirOrSkip());
        Backend cpu = new CpuBackend();
        Module net = Models.create("mlp", cpu, 784, 10, 42);
        try (var opt = new Adam(net.parameters(), 1e-3f); var trainer = new Trainer(net, opt)) {
            List<EpochResult> results = trainer.fit(mnist.train().slice(0, 10000), mnist.test().slice(0, 2000),
                    2, 128, 42, TrainingListener.NONE);
            assertThat(results.get(1).trainLoss()).isLessThan(results.get(0).trainLoss());
            assertThat(results.get(1).testAccuracy()).as("test accuracy after 2 epochs on 10,000 images").isGreaterThan(0.92);
        } finally {
            net.close();
        }
    }
}
