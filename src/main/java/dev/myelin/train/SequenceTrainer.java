package dev.myelin.train;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Backend;
import dev.myelin.data.CharBatches;
import dev.myelin.nn.RecurrentState;
import dev.myelin.optim.GradClipping;
import dev.myelin.optim.LrSchedule;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The training loop of a {@link CharModel} over {@link CharBatches}: chunk after chunk in order, one
 * optimizer step each (forward, mean cross-entropy over the chunk's characters, backward, gradient
 * clipping, update), one {@link Scope} per step. A recurrent model's state is carried from each chunk
 * into the next, detached (truncated backpropagation through time), and starts at zero every epoch.
 * After every epoch, and when a step limit ends the run inside one, the model is scored on the
 * validation batches the same way (state carried, from zero).
 *
 * <p>As in {@link Trainer}, inputs are refilled in place and the loss is summed on the device, so a
 * step waits for the device only when a loss is read (every {@link Trainer#LOSS_READ_INTERVAL} steps).
 */
public final class SequenceTrainer implements AutoCloseable {
    private final CharModel model;
    private final Optimizer optimizer;
    private final Backend backend;
    private final Tensor lossSum;
    private final Tensor lastLoss;
    private GradClipping clipping;
    private LrSchedule schedule;

    public SequenceTrainer(CharModel model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
        this.backend = model.parameters().get(0).data().backend();
        this.lossSum = Tensor.owned(backend, Shape.of());
        this.lastLoss = Tensor.owned(backend, Shape.of());
    }

    /** Clips gradients to global L2 norm {@code maxNorm} before every update (0 for none). */
    public SequenceTrainer clipGradNorm(float maxNorm) {
        if (clipping != null) {
            clipping.close();
            clipping = null;
        }
        if (maxNorm > 0) {
            clipping = new GradClipping(model.parameters(), maxNorm);
        }
        return this;
    }

    /** Sets the learning rate before every step (null leaves the optimizer's alone); it spans the run's steps. */
    public SequenceTrainer schedule(LrSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** The steps a run of {@code epochs} epochs over {@code train} takes when stopped after {@code maxSteps} (0 for no limit). */
    public static long plannedSteps(CharBatches train, int epochs, long maxSteps) {
        long full = (long) epochs * train.chunks();
        return maxSteps > 0 ? Math.min(maxSteps, full) : full;
    }

    /**
     * Trains up to {@code epochs} passes over {@code train}, stopping after {@code maxSteps} steps when
     * that is positive, and scores {@code validation} after each epoch (and after the last step).
     */
    public List<SequenceEpochResult> fit(CharBatches train, CharBatches validation, int epochs, long maxSteps,
                                         SequenceTrainingListener listener) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        long total = plannedSteps(train, epochs, maxSteps);
        List<SequenceEpochResult> results = new ArrayList<>();
        long step = 0;
        try (Tensor x = Tensor.owned(backend, Shape.of(train.streams(), train.length()));
             Tensor y = Tensor.owned(backend, Shape.of(train.targetsPerChunk()))) {
            float[] inputs = new float[train.targetsPerChunk()];
            float[] targets = new float[train.targetsPerChunk()];
            for (int epoch = 1; epoch <= epochs && step < total; epoch++) {
                int chunks = (int) Math.min(train.chunks(), total - step);
                listener.epochStarted(epoch, epochs, chunks);
                model.train(true);
                backend.fill(lossSum.buffer(), 0, 1, 0f);
                long start = System.nanoTime();
                RecurrentState state = null;
                try {
                    for (int k = 0; k < chunks; k++) {
                        if (schedule != null) {
                            optimizer.setLearningRate((float) schedule.at(step, total));
                        }
                        train.chunk(k, inputs, targets);
                        backend.upload(inputs, 0, x.buffer(), 0, inputs.length);
                        backend.upload(targets, 0, y.buffer(), 0, targets.length);
                        RecurrentState next = step(x, y, state);
                        if (state != null) {
                            state.close();
                        }
                        state = next;
                        step++;
                        double recent = Double.NaN;
                        if ((k + 1) % Trainer.LOSS_READ_INTERVAL == 0 || k + 1 == chunks) {
                            recent = lastLoss.item();
                            if (!Double.isFinite(recent)) {
                                throw new TrainingDivergedException(epoch, k + 1, recent);
                            }
                        }
                        listener.stepFinished(epoch, k + 1, step, recent);
                    }
                } finally {
                    if (state != null) {
                        state.close();
                    }
                }
                double trainLoss = lossSum.item() / chunks;
                double seconds = (System.nanoTime() - start) / 1e9;
                double validationLoss = evaluate(model, validation);
                SequenceEpochResult result = new SequenceEpochResult(epoch, step, chunks, trainLoss, validationLoss, seconds);
                results.add(result);
                listener.epochFinished(result);
            }
        }
        return results;
    }

    /** One optimizer step on chunk x [streams, length] with targets y; returns the state to carry (kept), or null. */
    private RecurrentState step(Tensor x, Tensor y, RecurrentState state) {
        try (var scope = Scope.open()) {
            optimizer.zeroGrad();
            CharModel.Step out = model.forward(x, state);
            Tensor logits = out.logits();
            Tensor loss = Ops.crossEntropy(logits.reshape(-1, logits.shape().cols()), y);
            loss.backward();
            if (clipping != null) {
                clipping.clip();
            }
            optimizer.step();
            backend.copy(loss.buffer(), 0, lastLoss.buffer(), 0, 1);
            backend.axpby(1f, loss.buffer(), 1f, lossSum.buffer(), 1);
            return model.carriesState() && out.state() != null ? out.state().keep() : null;
        }
    }

    /**
     * The mean loss per character, in nats, of {@code model} on every chunk of {@code batches} in order,
     * in eval mode without gradients, a recurrent state carried from chunk to chunk from zero.
     */
    public static double evaluate(CharModel model, CharBatches batches) {
        Backend backend = model.parameters().get(0).data().backend();
        boolean wasTraining = model.isTraining();
        model.eval();
        float[] inputs = new float[batches.targetsPerChunk()];
        float[] targets = new float[batches.targetsPerChunk()];
        RecurrentState state = null;
        try (var noGrad = GradRecording.noGrad();
             Tensor x = Tensor.owned(backend, Shape.of(batches.streams(), batches.length()));
             Tensor y = Tensor.owned(backend, Shape.of(batches.targetsPerChunk()));
             Tensor sum = Tensor.owned(backend, Shape.of())) {
            backend.fill(sum.buffer(), 0, 1, 0f);
            for (int k = 0; k < batches.chunks(); k++) {
                batches.chunk(k, inputs, targets);
                backend.upload(inputs, 0, x.buffer(), 0, inputs.length);
                backend.upload(targets, 0, y.buffer(), 0, targets.length);
                RecurrentState next;
                try (var scope = Scope.open()) {
                    CharModel.Step out = model.forward(x, state);
                    Tensor logits = out.logits();
                    Tensor loss = Ops.crossEntropy(logits.reshape(-1, logits.shape().cols()), y);
                    backend.axpby(1f, loss.buffer(), 1f, sum.buffer(), 1);
                    next = model.carriesState() && out.state() != null ? out.state().keep() : null;
                }
                if (state != null) {
                    state.close();
                }
                state = next;
            }
            // Every chunk holds as many characters, so the mean of the chunk means is the mean per character.
            return sum.item() / batches.chunks();
        } finally {
            if (state != null) {
                state.close();
            }
            model.train(wasTraining);
        }
    }

    @Override
    public void close() {
        if (clipping != null) {
            clipping.close();
        }
        lossSum.close();
        lastLoss.close();
    }
}
