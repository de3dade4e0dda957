package dev.myelin.train;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Backend;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.optim.LrSchedule;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop for classifiers: batches from a {@link DataLoader}, forward, cross-entropy,
 * backward, optimizer step, one {@link Scope} per step so every temporary goes back to the pool.
 *
 * <p>The input and label tensors are made once per batch size and refilled each step, and the epoch's
 * loss is summed on the device, so a step neither allocates after the first nor waits for the device
 * except when a listener is shown a loss (every {@link #LOSS_READ_INTERVAL} steps).
 */
public final class Trainer implements AutoCloseable {
    static final int LOSS_READ_INTERVAL = 25;

    private final Module model;
    private final Optimizer optimizer;
    private final Backend backend;
    private final Map<Integer, Tensor[]> batchTensors = new HashMap<>();
    private final Tensor lossSum;
    private final Tensor lastLoss;
    private LrSchedule schedule;
    private long totalSteps;
    private int firstEpoch = 1;
    private int lastEpoch;
    private TrainingControl control = TrainingControl.NONE;
    private TrainingControl.Run run;
    private int restoredEpoch;

    public Trainer(Module model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
        this.backend = model.parameters().get(0).data().backend();
        this.lossSum = Tensor.owned(backend, Shape.of());
        this.lastLoss = Tensor.owned(backend, Shape.of());
    }

    /** Makes {@link #fit} start at {@code epoch} (1-based), as when resuming a checkpoint saved after epoch - 1. */
    public Trainer startAt(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("first epoch must be >= 1, got " + epoch);
        }
        this.firstEpoch = epoch;
        return this;
    }

    /** Makes {@link #fit} stop after {@code epoch} (1-based), as a run interrupted there would. */
    public Trainer stopAfter(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("last epoch must be >= 1, got " + epoch);
        }
        this.lastEpoch = epoch;
        return this;
    }

    /** Gradient clipping, validation split and early stopping for the next {@link #fit} (see {@link TrainingControl}). */
    public Trainer control(TrainingControl control) {
        this.control = control == null ? TrainingControl.NONE : control;
        return this;
    }

    /** The epoch whose weights early stopping restored at the end of the last fit, or 0. */
    public int restoredEpoch() {
        return restoredEpoch;
    }

    /** The loss of the last step (waits for the device). */
    double lastLoss() {
        return lastLoss.item();
    }

    /** Trains up to epoch {@code epochs} (from 1, or the {@link #startAt} epoch) at the optimizer's learning rate. */
    public List<EpochResult> fit(Dataset train, Dataset test, int epochs, int batchSize, long seed,
                                 TrainingListener listener) {
        return fit(train, test, epochs, batchSize, seed, null, listener);
    }

    /**
     * Trains a run of {@code epochs} epochs (from 1, or the {@link #startAt} epoch, to {@code epochs} or the
     * {@link #stopAfter} epoch) with the learning rate set by {@code schedule} before every step; a null
     * schedule leaves the optimizer's rate alone. The schedule spans the whole run, so a run stopped and
     * resumed follows the same rates as one that was not.
     */
    public List<EpochResult> fit(Dataset train, Dataset test, int epochs, int batchSize, long seed,
                                 LrSchedule schedule, TrainingListener listener) {
        Dataset[] split = control.split(train);
        train = split[0];
        Dataset validation = split[1];
        DataLoader loader = new DataLoader(train, batchSize, true, seed);
        this.schedule = schedule;
        this.totalSteps = (long) epochs * loader.batchCount();
        List<EpochResult> results = new ArrayList<>();
        int last = lastEpoch > 0 ? Math.min(lastEpoch, epochs) : epochs;
        restoredEpoch = 0;
        try (TrainingControl.Run r = control.start(model)) {
            run = r;
            for (int epoch = firstEpoch; epoch <= last; epoch++) {
                listener.epochStarted(epoch, epochs, loader.batchCount());
                long start = System.nanoTime();
                double trainLoss = trainEpoch(loader, train.featureSize(), epoch, listener);
                double seconds = (System.nanoTime() - start) / 1e9;
                Validation.Result val = validation == null ? null : Validation.evaluate(model, validation, 1000);
                double accuracy = accuracy(model, test, 1000);
                EpochResult result = new EpochResult(epoch, trainLoss, accuracy, seconds, train.count() / seconds,
                        val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy());
                results.add(result);
                listener.epochFinished(result);
                if (val != null && r.afterEpoch(epoch, val.loss())) {
                    break;
                }
            }
            r.finish();
            restoredEpoch = r.restoredEpoch();
        } finally {
            run = null;
        }
        return results;
    }

    /** One pass over the loader; returns the mean loss per sample. */
    double trainEpoch(DataLoader loader, int featureSize, int epoch, TrainingListener listener) {
        model.train(true);
        backend.fill(lossSum.buffer(), 0, 1, 0f);
        DataLoader.Epoch batches = loader.epoch(epoch - 1);
        int samples = 0;
        int index = 0;
        long firstStep = (long) (epoch - 1) * loader.batchCount();
        while (batches.hasNext()) {
            DataLoader.Batch batch = batches.next();
            if (schedule != null) {
                optimizer.setLearningRate((float) schedule.at(firstStep + index, totalSteps));
            }
            step(batch, featureSize);
            samples += batch.size();
            index++;
            double recent = Double.NaN;
            if (index % LOSS_READ_INTERVAL == 0 || !batches.hasNext()) {
                recent = lastLoss.item();
                if (!Double.isFinite(recent)) {
                    throw new TrainingDivergedException(epoch, index, recent);
                }
            }
            listener.stepFinished(epoch, index, recent);
        }
        return lossSum.item() / samples;
    }

    /** Forward, backward and update on one batch of samples with {@code featureSize} inputs each. */
    public void step(DataLoader.Batch batch, int featureSize) {
        Tensor[] xy = inputs(batch, featureSize);
        try (var scope = Scope.open()) {
            optimizer.zeroGrad();
            Tensor logits = model.forward(xy[0]);
            Tensor loss = Ops.crossEntropy(logits, xy[1]);
            loss.backward();
            if (run != null) {
                run.afterBackward();
            }
            optimizer.step();
            backend.copy(loss.buffer(), 0, lastLoss.buffer(), 0, 1);
            backend.axpby(batch.size(), loss.buffer(), 1f, lossSum.buffer(), 1);
        }
    }

    private Tensor[] inputs(DataLoader.Batch batch, int featureSize) {
        Tensor[] xy = batchTensors.computeIfAbsent(batch.size(), size -> new Tensor[]{
                Tensor.owned(backend, Shape.of(size, featureSize)),
                Tensor.owned(backend, Shape.of(size))});
        backend.upload(batch.x(), 0, xy[0].buffer(), 0, xy[0].size());
        backend.upload(batch.y(), 0, xy[1].buffer(), 0, xy[1].size());
        return xy;
    }

    /** Fraction of {@code data} the model classifies right, evaluated without recording gradients. */
    public static double accuracy(Module model, Dataset data, int batchSize) {
        Backend backend = model.parameters().get(0).data().backend();
        boolean wasTraining = model.isTraining();
        model.eval();
        long correct = 0;
        float[] predictions = new float[Math.min(batchSize, data.count())];
        try (var noGrad = GradRecording.noGrad()) {
            for (int from = 0; from < data.count(); from += batchSize) {
                int size = Math.min(batchSize, data.count() - from);
                try (var scope = Scope.open()) {
                    Tensor x = Tensor.empty(backend, size, data.featureSize());
                    backend.upload(data.features(), from * data.featureSize(), x.buffer(), 0, x.size());
                    Tensor logits = model.forward(x);
                    Tensor predicted = Tensor.empty(backend, size);
                    backend.argmaxRows(logits.buffer(), predicted.buffer(), size, logits.shape().cols());
                    backend.download(predicted.buffer(), 0, predictions, 0, size);
                }
                for (int i = 0; i < size; i++) {
                    if (predictions[i] == data.labels()[from + i]) {
                        correct++;
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return (double) correct / data.count();
    }

    @Override
    public void close() {
        batchTensors.values().forEach(xy -> {
            xy[0].close();
            xy[1].close();
        });
        batchTensors.clear();
        lossSum.close();
        lastLoss.close();
    }
}
