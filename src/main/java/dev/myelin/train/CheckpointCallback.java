package dev.myelin.train;

import dev.myelin.checkpoint.CheckpointException;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.nn.Module;
import dev.myelin.optim.Optimizer;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * After every epoch: saves model and optimizer to {@code DIR/last.safetensors}, and to
 * {@code DIR/best.safetensors} when the test accuracy is the best so far; appends the epoch to
 * {@code DIR/metrics.jsonl} and redraws {@code DIR/training.png}.
 */
public final class CheckpointCallback implements TrainingListener {
    public static final String TEST_ACCURACY = "test_accuracy";
    public static final String BEST_TEST_ACCURACY = "best_test_accuracy";
    public static final String TRAIN_LOSS = "train_loss";

    private final Path dir;
    private final Module model;
    private final Optimizer optimizer;
    private final Map<String, String> runMetadata;
    private final MetricsLog metrics;
    private final Consumer<String> warn;
    private UnaryOperator<OutputStream> sink = UnaryOperator.identity();
    private double best;
    private int batches;
    private Path lastSaved;
    private boolean lastWasBest;

    /**
     * @param runMetadata what says how to rebuild and continue the run (model, seed, batch size, ...)
     * @param bestSoFar   the best test accuracy of the run so far (when resuming), else NaN
     * @param warn        told when the chart cannot be drawn (training goes on)
     */
    public CheckpointCallback(Path dir, Module model, Optimizer optimizer, Map<String, String> runMetadata,
                              double bestSoFar, Consumer<String> warn) {
        this.dir = dir;
        this.model = model;
        this.optimizer = optimizer;
        this.runMetadata = new LinkedHashMap<>(runMetadata);
        this.metrics = new MetricsLog(dir.resolve(MetricsLog.FILE));
        this.best = bestSoFar;
        this.warn = warn;
    }

    /** Makes {@code dir} (and its parents) or says why it cannot be used, before any training is done. */
    public static Path prepare(Path dir) {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new CheckpointException(dir + ": cannot save checkpoints here: it is a file, not a folder");
            }
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
            return dir;
        } catch (java.nio.file.FileSystemException e) {
            throw new CheckpointException(dir + ": cannot save checkpoints here: "
                    + (e.getFile() == null || e.getFile().equals(dir.toString()) ? "" : e.getFile() + ": ")
                    + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()), e);
        } catch (java.io.IOException e) {
            throw new CheckpointException(dir + ": cannot save checkpoints here: " + e.getMessage(), e);
        }
    }

    /** For tests: wraps the stream each checkpoint is written through. */
    public CheckpointCallback withSink(UnaryOperator<OutputStream> sink) {
        this.sink = sink;
        return this;
    }

    /** The last checkpoint written by this run, or null. */
    public Path lastSaved() {
        return lastSaved;
    }

    /** Whether the last epoch was also saved as best.safetensors. */
    public boolean lastWasBest() {
        return lastWasBest;
    }

    public MetricsLog metrics() {
        return metrics;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        this.batches = batches;
    }

    @Override
    public void epochFinished(EpochResult r) {
        long step = (long) r.epoch() * batches;
        boolean isBest = Double.isNaN(best) || r.testAccuracy() > best;
        if (isBest) {
            best = r.testAccuracy();
        }
        Map<String, String> meta = new LinkedHashMap<>(runMetadata);
        meta.put(Checkpoints.EPOCH, Integer.toString(r.epoch()));
        meta.put(Checkpoints.STEP, Long.toString(step));
        meta.put(TRAIN_LOSS, Double.toString(r.trainLoss()));
        meta.put(TEST_ACCURACY, Double.toString(r.testAccuracy()));
        meta.put(BEST_TEST_ACCURACY, Double.toString(best));
        Path last = dir.resolve(Checkpoints.LAST);
        Checkpoints.save(last, model, optimizer, meta, sink);
        lastSaved = last;
        lastWasBest = isBest;
        if (isBest) {
            Checkpoints.save(dir.resolve(Checkpoints.BEST), model, optimizer, meta, sink);
        }
        metrics.append(MetricsLog.line(r, step, optimizer.learningRate()));
        try {
            TrainingChart.write(dir.resolve(TrainingChart.FILE), metrics.read(),
                    "Myelin: " + runMetadata.getOrDefault(Checkpoints.MODEL, "model"));
        } catch (Exception | LinkageError e) {
            warn.accept("could not draw " + dir.resolve(TrainingChart.FILE) + ": " + e);
        }
    }
}
