package dev.myelin.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.myelin.checkpoint.AtomicFiles;
import dev.myelin.checkpoint.CheckpointException;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per epoch (epoch, step, loss, accuracy, learning rate,
 * samples/s), appended and forced to the disk as each epoch ends, so a crash loses nothing written.
 */
public final class MetricsLog {
    public static final String FILE = "metrics.jsonl";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The line for one epoch. */
    public static Map<String, Object> line(EpochResult r, long step, float learningRate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", r.epoch());
        m.put("step", step);
        m.put("loss", r.trainLoss());
        m.put("accuracy", r.testAccuracy());
        m.put("lr", Double.parseDouble(Float.toString(learningRate)));
        m.put("samples_per_second", r.samplesPerSecond());
        m.put("seconds", r.seconds());
        return m;
    }

    public void append(Map<String, Object> line) {
        byte[] bytes = (GSON.toJson(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            out.write(bytes);
            out.flush();
            out.getFD().sync();
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot append training metrics: " + e.getMessage(), e);
        }
    }

    /** Every line that parses as a JSON object with an epoch (a torn last line from a crash is skipped). */
    public List<JsonObject> read() {
        List<JsonObject> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    var element = JsonParser.parseString(line);
                    if (element.isJsonObject() && element.getAsJsonObject().has("epoch")) {
                        rows.add(element.getAsJsonObject());
                    }
                } catch (RuntimeException torn) {
                    // a line cut short by a crash: not a record
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read training metrics: " + e.getMessage(), e);
        }
        return rows;
    }

    /** Drops the lines after {@code epoch} (epochs a resumed run will do again), atomically. */
    public void keepUpTo(int epoch) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (JsonObject row : read()) {
            if (row.get("epoch").getAsInt() <= epoch) {
                kept.append(GSON.toJson(row)).append('\n');
            }
        }
        try {
            AtomicFiles.write(file, out -> out.write(kept.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot rewrite training metrics: " + e.getMessage(), e);
        }
    }
}
