package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The Trainer over many steps: memory flat after warm-up; the same seed, the same loss at every step. */
class TrainerMemoryTest {
    @Test
    void tenThousandStepsDoNotGrowTheAllocator() {
        Backend cpu = new CpuBackend();
        Dataset train = CheckpointResumeTest.blobs(500, 1);
        Dataset test = CheckpointResumeTest.blobs(100, 2);
        Module net = Models.mlp(cpu, new SplittableRandom(3), 8, 16, 3);
        List<Long> held = new ArrayList<>();
        int[] steps = {0};
        try (var opt = new Adam(net.parameters(), 1e-3f); var trainer = new Trainer(net, opt)) {
            // 500 samples in batches of 5: 100 steps an epoch, 100 epochs
            trainer.fit(train, test, 100, 5, 7, new TrainingListener() {
                @Override
                public void stepFinished(int epoch, int batch, double recentLoss) {
                    steps[0]++;
                }

                @Override
                public void epochFinished(EpochResult result) {
                    held.add(cpu.memoryStats().bytesInUse() + cpu.memoryStats().bytesCached());
                }
            });
        }
        net.close();
        assertThat(steps[0]).isEqualTo(10_000);
        assertThat(held.subList(2, held.size())).as("allocator bytes (in use + cached) after each epoch, from epoch 3")
                .allMatch(bytes -> bytes.equals(held.get(1)));
        assertThat(cpu.memoryStats().bytesInUse()).isZero();
    }

    private static double[] perStepLosses(long seed) {
        Backend cpu = new CpuBackend();
        Dataset train = CheckpointResumeTest.blobs(300, 5);
        Module net = Models.mlp(cpu, new SplittableRandom(seed), 8, 16, 3);
        DataLoader loader = new DataLoader(train, 32, true, seed);
        double[] losses = new double[3 * loader.batchCount()];
        int i = 0;
        try (var opt = new Adam(net.parameters(), 1e-2f); var trainer = new Trainer(net, opt)) {
            for (int epoch = 0; epoch < 3; epoch++) {
                var batches = loader.epoch(epoch);
                while (batches.hasNext()) {
                    trainer.step(batches.next(), train.featureSize());
                    losses[i++] = trainer.lastLoss();
                }
            }
        } finally {
            net.close();
        }
        return losses;
    }

    @Test
    void theSameSeedGivesTheSameLossAtEveryStepBitForBit() {
        double[] first = perStepLosses(11);
        assertThat(first).hasSize(30);
        assertThat(java.util.Arrays.stream(first).allMatch(Double::isFinite)).isTrue();
        assertThat(perStepLosses(11)).containsExactly(first);
        assertThat(perStepLosses(12)).isNotEqualTo(first);
    }
}
