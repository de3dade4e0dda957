package dev.myelin;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.nn.Linear;
import dev.myelin.nn.ReLU;
import dev.myelin.nn.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java API example from README.md, kept here so the README cannot drift from the code. */
class ReadmeExampleTest {
    @Test
    void theReadmeExampleRunsAndLearns() {
        float[] batchX = new float[4 * 2];
        float[] batchY = new float[4];
        for (int i = 0; i < 4; i++) {          // XOR of two bits
            batchX[2 * i] = i & 1;
            batchX[2 * i + 1] = (i >> 1) & 1;
            batchY[i] = (i & 1) ^ ((i >> 1) & 1);
        }
        float firstLoss = Float.NaN;
        float lastLoss = Float.NaN;

        // --- README example begins
        try (Backend backend = Backends.open("cpu").backend()) {
            var random = new SplittableRandom(42);
            var model = new Sequential(
                    new Linear(backend, 2, 16, random), new ReLU(),
                    new Linear(backend, 16, 2, random));
            var optimizer = new Adam(model.parameters(), 1e-2f);
            for (int step = 0; step < 300; step++) {
                try (var scope = Scope.open()) {               // every temporary of the step is freed at the end
                    Tensor x = Tensor.of(backend, batchX, 4, 2);
                    Tensor y = Tensor.of(backend, batchY, 4);  // class indices as floats
                    optimizer.zeroGrad();
                    Tensor loss = Ops.crossEntropy(model.forward(x), y);
                    loss.backward();
                    optimizer.step();
                    if (step == 0) firstLoss = loss.item();
                    lastLoss = loss.item();
                }
            }
            optimizer.close();
            model.close();
        }
        // --- README example ends

        assertThat(firstLoss).isGreaterThan(0.5f);
        assertThat(lastLoss).isLessThan(0.05f);
    }
}
