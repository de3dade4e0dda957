package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.nn.Parameter;
import dev.myelin.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EarlyStoppingTest {
    /**
     * The first 80 % of the examples are labelled by the sign of feature 0; the held-out last 20 % are
     * labelled the other way, so every epoch that fits the training part raises the validation loss.
     */
    private static Dataset conflicting(int count) {
        var random = new SplittableRandom(5);
        int features = 4;
        float[] x = new float[count * features];
        float[] y = new float[count];
        int cut = count - (int) Math.round(count * 0.2);
        for (int i = 0; i < count; i++) {
            for (int f = 0; f < features; f++) {
                x[i * features + f] = (float) random.nextGaussian();
            }
            boolean positive = x[i * features] > 0;
            y[i] = (positive ^ (i >= cut)) ? 1 : 0;
        }
        return new Dataset(x, y, count, features, 2);
    }

    private static float[][] values(Module net) {
        List<Parameter> ps = net.parameters();
        float[][] out = new float[ps.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ps.get(i).data().toArray();
        }
        return out;
    }

    @Test
    void stopsAfterItsPatienceAndRestoresTheBestWeights() {
        Backend cpu = new CpuBackend();
        Dataset data = conflicting(500);
        Module net = Models.mlp(cpu, new SplittableRandom(1), 4, 8, 2);
        int patience = 2;
        Map<Integer, float[][]> afterEpoch = new HashMap<>();
        List<EpochResult> seen = new ArrayList<>();
        try (var opt = new Sgd(net.parameters(), 0.1f); var trainer = new Trainer(net, opt)) {
            trainer.control(new TrainingControl(0f, 0.2, patience));
            List<EpochResult> results = trainer.fit(data, data.slice(0, 50), 20, 25, 3, new TrainingListener() {
                @Override
                public void epochFinished(EpochResult result) {
                    afterEpoch.put(result.epoch(), values(net));
                    seen.add(result);
                }
            });
            // Validation loss rises from the first epoch on: the best is epoch 1, and training stops
            // after `patience` more epochs without improvement.
            assertThat(results).hasSize(1 + patience);
            assertThat(results.get(1).validationLoss()).isGreaterThan(results.get(0).validationLoss());
            assertThat(trainer.restoredEpoch()).isEqualTo(1);
            float[][] restored = values(net);
            float[][] best = afterEpoch.get(1);
            for (int i = 0; i < best.length; i++) {
                assertThat(restored[i]).containsExactly(best[i]);
            }
            assertThat(restored[0]).isNotEqualTo(afterEpoch.get(results.size())[0]);
        } finally {
            net.close();
        }
    }

    @Test
    void theValidationSplitIsTheLastFractionAndDeterministic() {
        Dataset data = conflicting(100);
        Dataset[] split = new TrainingControl(0f, 0.25, 0).split(data);
        assertThat(split[0].count()).isEqualTo(75);
        assertThat(split[1].count()).isEqualTo(25);
        assertThat(split[1].labels()[0]).isEqualTo(data.labels()[75]);
        assertThat(new TrainingControl(0f, 0, 0).split(data)[1]).isNull();
        assertThatThrownBy(() -> new TrainingControl(0f, 0, 3)).hasMessageContaining("validation");
    }
}
