package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.checkpoint.Checkpoint;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Interrupted and resumed runs end bit for bit where uninterrupted ones do; divergence names the last checkpoint. */
class CheckpointResumeTest {
    static Dataset blobs(int count, long seed) {
        var random = new SplittableRandom(seed);
        int features = 8;
        int classes = 3;
        float[] x = new float[count * features];
        float[] y = new float[count];
        for (int i = 0; i < count; i++) {
            int label = random.nextInt(classes);
            y[i] = label;
            for (int f = 0; f < features; f++) {
                x[i * features + f] = (float) ((f % classes == label ? 2 : -1) + random.nextGaussian() * 0.5);
            }
        }
        return new Dataset(x, y, count, features, classes);
    }

    private final Backend cpu = new CpuBackend();
    private final Dataset train = blobs(700, 1);
    private final Dataset test = blobs(200, 2);

    /** Trains epochs [from, to] with checkpoints in dir, resuming from dir/last.safetensors when from > 1. */
    private Map<String, float[]> run(Path dir, int from, int to, Function<Module, Optimizer> optimizer) {
        Module net = Models.mlp(cpu, new SplittableRandom(from == 1 ? 5 : 99), 8, 32, 16, 3);
        try (Optimizer opt = optimizer.apply(net); Trainer trainer = new Trainer(net, opt)) {
            double best = Double.NaN;
            if (from > 1) {
                Checkpoint ckpt = Checkpoints.read(dir.resolve(Checkpoints.LAST));
                assertThat(ckpt.epoch()).isEqualTo(from - 1);
                Checkpoints.restore(ckpt, net, opt);
                best = ckpt.doubleOr(CheckpointCallback.BEST_TEST_ACCURACY, Double.NaN);
            }
            var callback = new CheckpointCallback(dir, net, opt, Map.of(Checkpoints.MODEL, "mlp"), best, m -> {
            });
            trainer.startAt(from).fit(train, test, to, 32, 17, callback);
            Map<String, float[]> state = new java.util.LinkedHashMap<>();
            net.namedParameters().forEach((name, p) -> state.put(name, p.data().toArray()));
            return state;
        } finally {
            net.close();
        }
    }

    private void resumesExactly(Path whole, Path split, Function<Module, Optimizer> optimizer) throws Exception {
        Map<String, float[]> uninterrupted = run(whole, 1, 3, optimizer);
        run(split, 1, 1, optimizer);
        Map<String, float[]> resumed = run(split, 2, 3, optimizer);
        assertThat(resumed.keySet()).containsExactlyElementsOf(uninterrupted.keySet());
        uninterrupted.forEach((name, values) -> assertThat(resumed.get(name)).as(name).containsExactly(values));
        assertThat(Files.readAllBytes(split.resolve(Checkpoints.LAST)))
                .as("the whole checkpoint, optimizer state and metadata included")
                .isEqualTo(Files.readAllBytes(whole.resolve(Checkpoints.LAST)));
        assertThat(Files.readAllBytes(split.resolve(Checkpoints.BEST))).isEqualTo(Files.readAllBytes(whole.resolve(Checkpoints.BEST)));
        assertThat(Files.readAllLines(split.resolve(MetricsLog.FILE))).hasSize(3);
    }

    @Test
    void adamResumedAfterEpochOneEndsBitForBitLikeAnUninterruptedRun(@TempDir Path a, @TempDir Path b) throws Exception {
        resumesExactly(a, b, net -> new Adam(net.parameters(), 1e-2f));
    }

    @Test
    void sgdWithMomentumResumesBitForBitToo(@TempDir Path a, @TempDir Path b) throws Exception {
        resumesExactly(a, b, net -> new Sgd(net.parameters(), 0.05f, 0.9f, 1e-4f, true));
    }

    @Test
    void recordsMetricsAndDrawsTheChart(@TempDir Path dir) throws Exception {
        run(dir, 1, 3, net -> new Adam(net.parameters(), 1e-2f));
        List<String> lines = Files.readAllLines(dir.resolve(MetricsLog.FILE));
        assertThat(lines).hasSize(3);
        var first = com.google.gson.JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(first.keySet()).contains("epoch", "step", "loss", "accuracy", "lr", "samples_per_second");
        assertThat(first.get("step").getAsLong()).isEqualTo(new DataLoader(train, 32, true, 17).batchCount());
        assertThat(first.get("lr").getAsDouble()).isEqualTo(0.01);
        var image = javax.imageio.ImageIO.read(dir.resolve(TrainingChart.FILE).toFile());
        assertThat(image.getWidth()).isEqualTo(800);
        assertThat(image.getHeight()).isEqualTo(480);
    }

    @Test
    void divergenceNamesTheStepAndTheLastGoodCheckpoint(@TempDir Path dir) {
        Module net = Models.mlp(cpu, new SplittableRandom(5), 8, 32, 3);
        try (var opt = new Sgd(net.parameters(), 0.05f); var trainer = new Trainer(net, opt)) {
            var callback = new CheckpointCallback(dir, net, opt, Map.of(), Double.NaN, m -> {
            });
            List<Integer> saved = new ArrayList<>();
            TrainingListener listener = new TrainingListener() {
                @Override
                public void epochStarted(int epoch, int epochs, int batches) {
                    callback.epochStarted(epoch, epochs, batches);
                }

                @Override
                public void epochFinished(EpochResult result) {
                    callback.epochFinished(result);
                    saved.add(result.epoch());
                    opt.setLearningRate(1e30f); // from epoch 2 on the loss blows up
                }
            };
            assertThatThrownBy(() -> {
                try {
                    trainer.fit(train, test, 3, 32, 17, listener);
                } catch (TrainingDivergedException e) {
                    throw e.withCheckpoint(callback.lastSaved().toString());
                }
            }).isInstanceOf(TrainingDivergedException.class)
                    .hasMessageContaining("epoch 2, step")
                    .hasMessageContaining("last good checkpoint: " + dir.resolve(Checkpoints.LAST));
            assertThat(saved).containsExactly(1);
            assertThat(Checkpoints.read(dir.resolve(Checkpoints.LAST)).epoch()).isEqualTo(1);
        } finally {
            net.close();
        }
    }
}
