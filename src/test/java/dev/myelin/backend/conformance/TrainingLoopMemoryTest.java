package dev.myelin.backend.conformance;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.MemoryStats;
import dev.myelin.backend.ReduceOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 2,000 training-like steps of a two-layer MLP written directly against the Backend (forward,
 * softmax-cross-entropy, backward, Adam), every step allocating and releasing its temporaries the way
 * a step scope will. Device memory must stay flat: bytes in use at step 100 and step 2000 are equal,
 * and the cache stops growing after warm-up. The loss must also fall, so the ops really compose.
 */
class TrainingLoopMemoryTest {
    static final int STEPS = 2000;
    static final int BATCH = 32;
    static final int IN = 20;
    static final int HIDDEN = 64;
    static final int CLASSES = 10;

    static Stream<String> backends() {
        return BackendsUnderTest.ids().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void memoryStaysFlatOver2000Steps(String id) {
        Backend be = BackendsUnderTest.get(id);
        Random random = new Random(7);
        // A learnable synthetic task: the label is the argmax of a fixed random projection of x.
        float[] teacher = Harness.random(8, IN * CLASSES, -1, 1);

        List<Buffer> model = new ArrayList<>();
        Buffer w1 = param(be, model, Harness.random(1, IN * HIDDEN, -0.3f, 0.3f));
        Buffer b1 = param(be, model, new float[HIDDEN]);
        Buffer w2 = param(be, model, Harness.random(2, HIDDEN * CLASSES, -0.3f, 0.3f));
        Buffer b2 = param(be, model, new float[CLASSES]);
        Buffer[] params = {w1, b1, w2, b2};
        Buffer[] m = new Buffer[4];
        Buffer[] v = new Buffer[4];
        for (int i = 0; i < 4; i++) {
            m[i] = param(be, model, new float[params[i].length()]);
            v[i] = param(be, model, new float[params[i].length()]);
        }

        MemoryStats atStep100 = null;
        float firstLoss = Float.NaN;
        float lastLoss = Float.NaN;
        float[] x = new float[BATCH * IN];
        float[] labels = new float[BATCH];
        float[] lossOut = new float[1];
        for (int step = 1; step <= STEPS; step++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            for (int r = 0; r < BATCH; r++) {
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < CLASSES; c++) {
                    double score = 0;
                    for (int k = 0; k < IN; k++) {
                        score += x[r * IN + k] * teacher[k * CLASSES + c];
                    }
                    if (score > bestScore) {
                        bestScore = score;
                        best = c;
                    }
                }
                labels[r] = best;
            }

            List<Buffer> temps = new ArrayList<>();
            Buffer xb = temp(be, temps, BATCH * IN);
            be.upload(x, 0, xb, 0, x.length);
            Buffer yb = temp(be, temps, BATCH);
            be.upload(labels, 0, yb, 0, BATCH);

            // forward
            Buffer h = temp(be, temps, BATCH * HIDDEN);
            be.gemm(false, false, BATCH, HIDDEN, IN, 1f, xb, w1, 0f, h);
            be.biasActivation(h, b1, Activation.RELU, h, BATCH, HIDDEN);
            Buffer logits = temp(be, temps, BATCH * CLASSES);
            be.gemm(false, false, BATCH, CLASSES, HIDDEN, 1f, h, w2, 0f, logits);
            be.biasActivation(logits, b2, Activation.IDENTITY, logits, BATCH, CLASSES);
            Buffer probs = temp(be, temps, BATCH * CLASSES);
            Buffer losses = temp(be, temps, BATCH);
            be.softmaxCrossEntropy(logits, yb, probs, losses, BATCH, CLASSES);

            // backward
            Buffer dlogits = temp(be, temps, BATCH * CLASSES);
            be.softmaxCrossEntropyBackward(probs, yb, dlogits, BATCH, CLASSES, 1f / BATCH);
            Buffer dw2 = temp(be, temps, HIDDEN * CLASSES);
            be.gemm(true, false, HIDDEN, CLASSES, BATCH, 1f, h, dlogits, 0f, dw2);
            Buffer db2 = temp(be, temps, CLASSES);
            be.reduce(ReduceOp.SUM, dlogits, db2, BATCH, CLASSES, 0);
            Buffer dh = temp(be, temps, BATCH * HIDDEN);
            be.gemm(false, true, BATCH, HIDDEN, CLASSES, 1f, dlogits, w2, 0f, dh);
            be.activationBackward(Activation.RELU, h, dh, dh, BATCH * HIDDEN);
            Buffer dw1 = temp(be, temps, IN * HIDDEN);
            be.gemm(true, false, IN, HIDDEN, BATCH, 1f, xb, dh, 0f, dw1);
            Buffer db1 = temp(be, temps, HIDDEN);
            be.reduce(ReduceOp.SUM, dh, db1, BATCH, HIDDEN, 0);

            Buffer[] grads = {dw1, db1, dw2, db2};
            for (int i = 0; i < 4; i++) {
                be.adamUpdate(params[i], grads[i], m[i], v[i], params[i].length(),
                        1e-2f, 0.9f, 0.999f, 1e-8f, 0f, false, step);
            }

            boolean report = step == 1 || step % 100 == 0;
            Buffer meanLoss = null;
            if (report) {
                meanLoss = temp(be, temps, 1);
                be.reduce(ReduceOp.MEAN, losses, meanLoss, 1, BATCH, 1);
                be.download(meanLoss, 0, lossOut, 0, 1);   // the step's one synchronisation
                if (step == 1) {
                    firstLoss = lossOut[0];
                }
                lastLoss = lossOut[0];
            }
            // Released right after enqueueing, as a step scope does; the backend keeps them alive.
            temps.forEach(be::release);

            if (step == 100) {
                atStep100 = be.memoryStats();
            }
        }
        be.synchronize();
        MemoryStats atEnd = be.memoryStats();
        model.forEach(be::release);

        assertThat(atEnd.bytesInUse()).as("bytes in use at step %d vs step 100", STEPS).isEqualTo(atStep100.bytesInUse());
        assertThat(atEnd.bytesCached()).as("bytes cached at step %d vs step 100", STEPS).isLessThanOrEqualTo(atStep100.bytesCached());
        assertThat(atEnd.peakBytesInUse()).isGreaterThanOrEqualTo(atEnd.bytesInUse());
        assertThat(lastLoss).as("loss after %d steps (first %s)", STEPS, firstLoss).isLessThan(firstLoss * 0.5f);
    }

    private static Buffer param(Backend be, List<Buffer> owner, float[] init) {
        Buffer buffer = be.allocate(init.length);
        be.upload(init, 0, buffer, 0, init.length);
        owner.add(buffer);
        return buffer;
    }

    private static Buffer temp(Backend be, List<Buffer> temps, int n) {
        Buffer buffer = be.allocate(n);
        temps.add(buffer);
        return buffer;
    }
}
