package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.backend.conformance.BackendsUnderTest;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.data.Dataset;
import dev.myelin.data.Mnist;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adadelta;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The PyTorch-example CNN trains: on OpenCL (PoCL here) on a small synthetic set, and on an MNIST slice on the CPU. */
class CnnTrainingTest {
    /**
     * 28x28 images of noise with a bright 4x4 square whose position (one of ten) is the class:
     * learnable by any working convnet within a few steps.
     */
    static Dataset squares(int count, long seed) {
        var random = new SplittableRandom(seed);
        float[] x = new float[count * 784];
        float[] y = new float[count];
        for (int i = 0; i < count; i++) {
            int label = random.nextInt(10);
            y[i] = label;
            for (int p = 0; p < 784; p++) {
                x[i * 784 + p] = (float) (random.nextGaussian() * 0.3);
            }
            int top = 3 + (label / 5) * 12;
            int left = 2 + (label % 5) * 5;
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    x[i * 784 + (top + r) * 28 + left + c] += 2f;
                }
            }
        }
        return new Dataset(x, y, count, 784, 10);
    }

    @Test
    void theCnnTrainsOnOpenClWithFallingLoss() {
        Backend opencl = BackendsUnderTest.get("opencl");
        Dataset train = squares(128, 1);
        Dataset test = squares(32, 2);
        Module net = Models.create("cnn", opencl, 784, 10, 7);
        try (var opt = new Adadelta(net.parameters()); var trainer = new Trainer(net, opt)) {
            trainer.control(TrainingControl.NONE);
            List<EpochResult> results = trainer.fit(train, test, 2, 32, 3, TrainingListener.NONE);
            assertThat(results).hasSize(2);
            assertThat(results.get(1).trainLoss()).isLessThan(results.get(0).trainLoss());
            assertThat(results.get(1).trainLoss()).isLessThan(Math.log(10));
        } finally {
            net.close();
        }
    }

    @Test
    void theCnnLearnsAnMnistSliceOnTheCpu() {
        var dir = TrainerTest.mnistDirOrSkip();
        Mnist.MnistData mnist = Mnist.load(dir);
        Dataset train = mnist.train().slice(0, 768).normalized(0.1307f, 0.3081f);
        Dataset test = mnist.test().slice(0, 500).normalized(0.1307f, 0.3081f);
        Backend cpu = new CpuBackend();
        Module net = Models.create("cnn", cpu, 784, 10, 42);
        try (var opt = new Adadelta(net.parameters()); var trainer = new Trainer(net, opt)) {
            List<EpochResult> results = trainer.fit(train, test, 1, 64, 42, TrainingListener.NONE);
            // 12 steps of Adadelta take the example CNN from 10 % to well over half right.
            assertThat(results.get(0).testAccuracy()).isGreaterThan(0.5);
        } finally {
            net.close();
        }
    }
}
