package dev.myelin.nn;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConvLayersTest {
    private final Backend cpu = new CpuBackend();

    @Test
    void errorsNameTheLayerAndTheShape() {
        Conv2d conv = new Conv2d(cpu, 1, 32, 3, new SplittableRandom(1));
        try (var s = Scope.open()) {
            assertThatThrownBy(() -> conv.forward(Tensor.zeros(cpu, 64, 784)))
                    .hasMessage("Conv2d(1 -> 32, 3x3): input of shape [64, 784] must be [N, 1, H, W]");
            assertThatThrownBy(() -> new MaxPool2d(2).forward(Tensor.zeros(cpu, 4, 10)))
                    .hasMessageContaining("MaxPool2d(2): input of shape [4, 10]");
            assertThatThrownBy(() -> new BatchNorm2d(cpu, 3).forward(Tensor.zeros(cpu, 2, 4, 5, 5)))
                    .hasMessageContaining("BatchNorm2d(3): input of shape [2, 4, 5, 5] must be [N, 3, H, W]");
        }
        assertThatThrownBy(() -> new Dropout(1f)).hasMessageContaining("Dropout(1.0)");
    }

    @Test
    void conv2dHasPyTorchsLayoutAndShapes() {
        Conv2d conv = new Conv2d(cpu, 3, 8, 3, 2, 1, true, new SplittableRandom(1));
        assertThat(conv.weight().shape().dims()).containsExactly(8, 3, 3, 3);
        assertThat(conv.bias().shape().dims()).containsExactly(8);
        float bound = (float) (1 / Math.sqrt(27));
        for (float w : conv.weight().data().toArray()) {
            assertThat(Math.abs(w)).isLessThanOrEqualTo(bound);
        }
        try (var s = Scope.open()) {
            Tensor y = conv.forward(Tensor.zeros(cpu, 2, 3, 9, 7));
            assertThat(y.shape().dims()).containsExactly(2, 8, 5, 4);
            assertThat(new Flatten().forward(y).shape().dims()).containsExactly(2, 160);
        }
    }

    @Test
    void dropoutIsIdentityInEvalAndScalesInTraining() {
        Dropout dropout = new Dropout(0.5f, 9);
        try (var s = Scope.open()) {
            Tensor x = Tensor.full(cpu, 1f, 1000);
            float[] train = dropout.forward(x).toArray();
            long zeros = 0;
            for (float v : train) {
                assertThat(v == 0f || v == 2f).isTrue();
                zeros += v == 0f ? 1 : 0;
            }
            assertThat(zeros).isBetween(400L, 600L);
            dropout.eval();
            assertThat(dropout.forward(x)).isSameAs(x);
        }
    }

    @Test
    void batchNormUsesBatchStatsInTrainingAndRunningStatsInEval() {
        BatchNorm1d bn = new BatchNorm1d(cpu, 2);
        assertThat(bn.parameters()).hasSize(2);
        assertThat(bn.namedBuffers()).containsOnlyKeys("running_mean", "running_var");
        try (var s = Scope.open()) {
            // Channel 0: 1, 3 (mean 2, biased var 1, unbiased 2); channel 1: 0, 0.
            Tensor x = Tensor.of(cpu, new float[]{1, 0, 3, 0}, 2, 2);
            float[] y = bn.forward(x).toArray();
            assertThat(y[0]).isCloseTo(-1f, within(1e-4f));
            assertThat(y[2]).isCloseTo(1f, within(1e-4f));
            assertThat(bn.runningMean().toArray()).containsExactly(new float[]{0.2f, 0f}, within(1e-6f));
            assertThat(bn.runningVar().toArray()).containsExactly(new float[]{0.9f + 0.1f * 2f, 0.9f}, within(1e-6f));
            bn.eval();
            try (var noGrad = GradRecording.noGrad()) {
                float[] e = bn.forward(x).toArray();
                assertThat(e[0]).isCloseTo((float) ((1 - 0.2) / Math.sqrt(1.1 + 1e-5)), within(1e-5f));
            }
        }
    }

    @Test
    void sequentialFusesConvAndActivation() {
        Conv2d conv = new Conv2d(cpu, 1, 2, 3, new SplittableRandom(2));
        Sequential net = new Sequential(conv, new ReLU());
        try (var s = Scope.open()) {
            Tensor x = Tensor.of(cpu, new float[2 * 36], 2, 1, 6, 6);
            Tensor y = net.forward(x);
            assertThat(y.gradFn().name()).isEqualTo("conv2d");
            for (float v : y.toArray()) {
                assertThat(v).isGreaterThanOrEqualTo(0f);
            }
        }
    }

    @Test
    void checkpointsCarryBatchNormRunningStatistics(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Sequential a = new Sequential(new Linear(cpu, 3, 2, new SplittableRandom(1)), new BatchNorm1d(cpu, 2));
        try (var s = Scope.open()) {
            a.forward(Tensor.of(cpu, new float[]{1, 2, 3, -1, 0, 4, 2, 2, 2}, 3, 3));
        }
        java.nio.file.Path file = dir.resolve("bn.safetensors");
        dev.myelin.checkpoint.Checkpoints.save(file, a, null, java.util.Map.of());
        Sequential b = new Sequential(new Linear(cpu, 3, 2, new SplittableRandom(2)), new BatchNorm1d(cpu, 2));
        dev.myelin.checkpoint.Checkpoints.restore(dev.myelin.checkpoint.Checkpoints.read(file), b, null);
        assertThat(b.namedBuffers().get("1.running_mean").toArray()).containsExactly(a.namedBuffers().get("1.running_mean").toArray());
        assertThat(b.namedBuffers().get("1.running_var").toArray()).containsExactly(a.namedBuffers().get("1.running_var").toArray());
        assertThat(a.namedBuffers().get("1.running_mean").toArray()[0]).isNotZero();
    }
}
