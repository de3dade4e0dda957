package dev.myelin.checkpoint;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.nn.Module;
import dev.myelin.nn.Parameter;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Sgd;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointsTest {
    private final Backend cpu = new CpuBackend();

    /** Gives every parameter a gradient and takes one optimizer step, so state exists. */
    static void oneStep(Module net, dev.myelin.optim.Optimizer opt, Backend be, int inputs) {
        try (var scope = Scope.open()) {
            opt.zeroGrad();
            float[] x = new float[4 * inputs];
            new SplittableRandom(1).doubles(x.length).forEach(new java.util.function.DoubleConsumer() {
                int i;
                public void accept(double d) {
                    x[i++] = (float) d;
                }
            });
            Tensor out = net.forward(Tensor.of(be, x, 4, inputs));
            dev.myelin.autograd.Ops.crossEntropy(out, Tensor.of(be, new float[]{0, 1, 2, 1}, 4)).backward();
            opt.step();
        }
    }

    @Test
    void modelAndAdamStateRoundTripExactly(@TempDir Path dir) {
        Module a = Models.mlp(cpu, new SplittableRandom(1), 6, 8, 3);
        Module b = Models.mlp(cpu, new SplittableRandom(2), 6, 8, 3);
        try (var optA = new Adam(a.parameters(), 0.01f); var optB = new Adam(b.parameters(), 0.01f)) {
            oneStep(a, optA, cpu, 6);
            oneStep(a, optA, cpu, 6);
            Path file = dir.resolve("last.safetensors");
            Checkpoints.save(file, a, optA, Map.of("model", "mlp", "epoch", "3"));
            Checkpoint ckpt = Checkpoints.read(file);
            assertThat(ckpt.tensors().keySet()).contains("0.weight", "0.bias", "2.weight", "2.bias",
                    "optimizer.0.weight.exp_avg", "optimizer.2.bias.exp_avg_sq");
            assertThat(ckpt.metadata()).containsEntry("optimizer", "adam").containsEntry("optimizer.step", "2")
                    .containsEntry("optimizer.state", "exp_avg,exp_avg_sq").containsEntry("epoch", "3");
            Checkpoints.restore(ckpt, b, optB);
            assertThat(optB.steps()).isEqualTo(2);
            for (String name : a.namedParameters().keySet()) {
                assertThat(b.namedParameters().get(name).data().toArray()).containsExactly(a.namedParameters().get(name).data().toArray());
            }
            for (int i = 0; i < a.parameters().size(); i++) {
                assertThat(optB.state("exp_avg_sq", i).toArray()).containsExactly(optA.state("exp_avg_sq", i).toArray());
            }
            // the next step is identical too
            oneStep(a, optA, cpu, 6);
            oneStep(b, optB, cpu, 6);
            assertThat(b.parameters().get(0).data().toArray()).containsExactly(a.parameters().get(0).data().toArray());
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void sgdMomentumBufferIsSavedUnderTorchsName(@TempDir Path dir) {
        Module a = Models.mlp(cpu, new SplittableRandom(1), 6, 3);
        try (var opt = new Sgd(a.parameters(), 0.1f, 0.9f, 0f, false)) {
            oneStep(a, opt, cpu, 6);
            Path file = dir.resolve("c.safetensors");
            Checkpoints.save(file, a, opt, Map.of());
            assertThat(Checkpoints.read(file).tensors().keySet())
                    .containsExactly("0.weight", "0.bias", "optimizer.0.weight.momentum_buffer", "optimizer.0.bias.momentum_buffer");
        } finally {
            a.close();
        }
    }

    @Test
    void aCheckpointOfAnotherModelIsRefusedNamingTensorAndShapes(@TempDir Path dir) {
        Module small = Models.mlp(cpu, new SplittableRandom(1), 100, 16, 10);
        Module other = Models.mlp(cpu, new SplittableRandom(1), 784, 16, 10);
        Module deeper = Models.mlp(cpu, new SplittableRandom(1), 100, 16, 16, 10);
        try {
            Path file = dir.resolve("small.safetensors");
            Checkpoints.save(file, small, null, Map.of());
            Checkpoint ckpt = Checkpoints.read(file);
            float[] before = other.parameters().get(0).data().toArray();
            assertThatThrownBy(() -> Checkpoints.restore(ckpt, other, null))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'0.weight'")
                    .hasMessageContaining("[16, 100]").hasMessageContaining("[16, 784]");
            assertThat(other.parameters().get(0).data().toArray()).as("nothing loaded").containsExactly(before);
            assertThatThrownBy(() -> Checkpoints.restore(ckpt, deeper, null))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("'2.weight'");
        } finally {
            small.close();
            other.close();
            deeper.close();
        }
    }

    /** A disk that fills up after {@code room} bytes. */
    static OutputStream fullAfter(OutputStream out, long room) {
        return new FilterOutputStream(out) {
            long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written + len > room) {
                    throw new IOException("No space left on device");
                }
                written += len;
                out.write(b, off, len);
            }
        };
    }

    @Test
    void aFullDiskDuringASaveLeavesThePreviousCheckpointIntact(@TempDir Path dir) throws IOException {
        Module net = Models.mlp(cpu, new SplittableRandom(1), 64, 64, 10);
        try (var opt = new Adam(net.parameters(), 0.01f)) {
            oneStep(net, opt, cpu, 64);
            Path last = dir.resolve(Checkpoints.LAST);
            Checkpoints.save(last, net, opt, Map.of("epoch", "1"));
            byte[] before = Files.readAllBytes(last);
            oneStep(net, opt, cpu, 64);
            assertThatThrownBy(() -> Checkpoints.save(last, net, opt, Map.of("epoch", "2"), out -> fullAfter(out, 10_000)))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(last.toString()).hasMessageContaining("No space left on device")
                    .hasMessageContaining("unchanged");
            assertThat(Files.readAllBytes(last)).isEqualTo(before);
            assertThat(Checkpoints.read(last).metadata()).containsEntry("epoch", "1");
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).as("the temporary file is cleaned up").containsExactly(last);
            }
        } finally {
            net.close();
        }
    }

    @Test
    void anUnwritableFolderIsNamed(@TempDir Path dir) throws IOException {
        Module net = Models.mlp(cpu, new SplittableRandom(1), 4, 2);
        try {
            Path file = Files.writeString(dir.resolve("a-file"), "x");
            assertThatThrownBy(() -> Checkpoints.save(file.resolve("last.safetensors"), net, null, Map.of()))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("a-file");
        } finally {
            net.close();
        }
    }

    static float[] flat(Parameter p) {
        return p.data().toArray();
    }
}
