package dev.myelin.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint as read from a file: its metadata (model, optimizer, progress) and tensors, checked
 * for format errors but not yet against a model; {@link Checkpoints#restore} does that.
 */
public record Checkpoint(Path file, Map<String, String> metadata, Map<String, SafeTensors.Entry> tensors) {
    /** A metadata value that must be there. */
    public String require(String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new CheckpointException(file + ": not a Myelin checkpoint: metadata has no '" + key + "'");
        }
        return value;
    }

    public int requireInt(String key) {
        return (int) requireLong(key);
    }

    public long requireLong(String key) {
        String value = require(key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": damaged checkpoint: metadata '" + key + "' is '" + value + "', not an integer");
        }
    }

    public double doubleOr(String key, double otherwise) {
        String value = metadata.get(key);
        try {
            return value == null ? otherwise : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": damaged checkpoint: metadata '" + key + "' is '" + value + "', not a number");
        }
    }

    public float requireFloat(String key) {
        String value = require(key);
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": damaged checkpoint: metadata '" + key + "' is '" + value + "', not a number");
        }
    }

    /** The model's name as {@code Models.create} takes it ("mlp"). */
    public String modelName() {
        return require(Checkpoints.MODEL);
    }

    public int epoch() {
        return requireInt(Checkpoints.EPOCH);
    }
}
