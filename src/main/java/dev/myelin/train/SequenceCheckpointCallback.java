package dev.myelin.train;

import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.optim.Optimizer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * After every epoch of a character model (and after the last step when a step limit ends the run):
 * saves model and optimizer to {@code DIR/last.safetensors}, and to {@code DIR/best.safetensors} when
 * the validation loss is the lowest so far, with the run's metadata (the model's configuration and
 * vocabulary among it, so {@code sample} can rebuild it); appends the epoch to {@code DIR/metrics.jsonl}.
 */
public final class SequenceCheckpointCallback implements SequenceTrainingListener {
    public static final String TRAIN_LOSS = "train_loss";
    public static final String VALIDATION_LOSS = "val_loss";
    public static final String VALIDATION_BPC = "val_bpc";
    public static final String BEST_VALIDATION_LOSS = "best_val_loss";

    private final Path dir;
    private final CharModel model;
    private final Optimizer optimizer;
    private final Map<String, String> runMetadata;
    private final MetricsLog metrics;
    private double best = Double.NaN;
    private Path lastSaved;

    /** @param runMetadata what says how the model was made and trained (model, vocabulary, seed, ...) */
    public SequenceCheckpointCallback(Path dir, CharModel model, Optimizer optimizer, Map<String, String> runMetadata) {
        this.dir = CheckpointCallback.prepare(dir);
        this.model = model;
        this.optimizer = optimizer;
        this.runMetadata = new LinkedHashMap<>(runMetadata);
        this.metrics = new MetricsLog(dir.resolve(MetricsLog.FILE));
    }

    /** The last checkpoint written, or null. */
    public Path lastSaved() {
        return lastSaved;
    }

    @Override
    public void epochFinished(SequenceEpochResult r) {
        boolean isBest = Double.isNaN(best) || r.validationLoss() < best;
        if (isBest) {
            best = r.validationLoss();
        }
        Map<String, String> meta = new LinkedHashMap<>(runMetadata);
        meta.put(Checkpoints.EPOCH, Integer.toString(r.epoch()));
        meta.put(Checkpoints.STEP, Long.toString(r.steps()));
        meta.put(TRAIN_LOSS, Double.toString(r.trainLoss()));
        meta.put(VALIDATION_LOSS, Double.toString(r.validationLoss()));
        meta.put(VALIDATION_BPC, Double.toString(r.validationBitsPerChar()));
        meta.put(BEST_VALIDATION_LOSS, Double.toString(best));
        Path last = dir.resolve(Checkpoints.LAST);
        Checkpoints.save(last, model, optimizer, meta);
        lastSaved = last;
        if (isBest) {
            Checkpoints.save(dir.resolve(Checkpoints.BEST), model, optimizer, meta);
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", r.epoch());
        line.put("step", r.steps());
        line.put("loss", r.trainLoss());
        line.put(VALIDATION_LOSS, r.validationLoss());
        line.put(VALIDATION_BPC, r.validationBitsPerChar());
        line.put("lr", Double.parseDouble(Float.toString(optimizer.learningRate())));
        line.put("seconds", r.seconds());
        line.put("ms_per_step", r.msPerStep());
        metrics.append(line);
    }
}
