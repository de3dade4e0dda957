package dev.myelin.cli;

import dev.myelin.checkpoint.Checkpoint;
import dev.myelin.checkpoint.CheckpointException;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.optim.Optimizer;
import dev.myelin.train.CheckpointCallback;
import dev.myelin.train.EpochResult;
import dev.myelin.train.TrainingDivergedException;
import dev.myelin.train.TrainingListener;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code train --checkpoint DIR} and {@code train --resume DIR} add to a training run, kept out of
 * {@link TrainCommand}: settings taken from the checkpoint, restoring model and optimizer, saving after
 * every epoch, and naming the last good checkpoint when training diverges.
 */
final class TrainCheckpointing {
    private final TrainCommand command;
    private final Path dir;
    private final Checkpoint resumed;
    private CheckpointCallback callback;

    private TrainCheckpointing(TrainCommand command, Path dir, Checkpoint resumed) {
        this.command = command;
        this.dir = dir;
        this.resumed = resumed;
    }

    /**
     * Reads the checkpoint to resume (its settings replace those not given on the command line) and
     * checks the checkpoint folder can be written, before any data is loaded or time spent.
     */
    static TrainCheckpointing prepare(TrainCommand command) {
        Checkpoint resumed = null;
        if (command.resume != null) {
            Path file = Files.isDirectory(command.resume) ? command.resume.resolve(Checkpoints.LAST) : command.resume;
            resumed = Checkpoints.read(file);
            adopt(command, resumed);
        }
        Path dir = command.checkpoint != null ? command.checkpoint
                : resumed == null ? null : resumed.file().toAbsolutePath().getParent();
        if (dir != null) {
            CheckpointCallback.prepare(dir);
        }
        return new TrainCheckpointing(command, dir, resumed);
    }

    /** Settings from the checkpoint, except those given on the command line (the model and optimizer must agree). */
    private static void adopt(TrainCommand c, Checkpoint ckpt) {
        CommandLine.ParseResult given = c.spec.commandLine().getParseResult();
        String model = ckpt.modelName();
        if (given.hasMatchedOption("--model") && !c.model.equals(model)) {
            throw new CheckpointException(ckpt.file() + ": checkpoint holds a " + model + " model, not --model " + c.model);
        }
        c.model = model;
        String optimizer = ckpt.require(Checkpoints.OPTIMIZER);
        if (given.hasMatchedOption("--optimizer") && !c.optimizer.name().equals(optimizer)) {
            throw new CheckpointException(ckpt.file() + ": checkpoint was trained with " + optimizer + ", not --optimizer " + c.optimizer);
        }
        try {
            c.optimizer = TrainCommand.OptimizerName.valueOf(optimizer);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ckpt.file() + ": checkpoint was trained with " + optimizer + ", which train cannot resume");
        }
        if (!given.hasMatchedOption("--lr")) {
            c.lr = ckpt.metadata().containsKey("lr") ? ckpt.requireFloat("lr") : ckpt.requireFloat("optimizer.lr");
        }
        if (!given.hasMatchedOption("--lr-schedule") && ckpt.metadata().containsKey("lr_schedule")) {
            c.lrSchedule = ckpt.require("lr_schedule");
        }
        if (!given.hasMatchedOption("--warmup-steps") && ckpt.metadata().containsKey("warmup_steps")) {
            c.warmupSteps = ckpt.requireInt("warmup_steps");
        }
        if (!given.hasMatchedOption("--momentum") && ckpt.metadata().containsKey("optimizer.momentum")) {
            c.momentum = ckpt.requireFloat("optimizer.momentum");
        }
        if (!given.hasMatchedOption("--nesterov") && ckpt.metadata().containsKey("optimizer.nesterov")) {
            c.nesterov = Boolean.parseBoolean(ckpt.require("optimizer.nesterov"));
        }
        if (!given.hasMatchedOption("--weight-decay") && ckpt.metadata().containsKey("optimizer.weight_decay")) {
            c.weightDecay = ckpt.requireFloat("optimizer.weight_decay");
        }
        if (!given.hasMatchedOption("--seed")) {
            c.seed = ckpt.requireLong(Checkpoints.SEED);
        }
        if (!given.hasMatchedOption("--batch-size")) {
            c.batchSize = ckpt.requireInt("batch_size");
        }
        if (!given.hasMatchedOption("--limit") && ckpt.metadata().containsKey("limit")) {
            c.limit = ckpt.requireInt("limit");
        }
        if (!given.hasMatchedOption("--epochs") && ckpt.metadata().containsKey("epochs")) {
            // The run's planned length: the learning-rate schedule spans it, so resuming keeps its shape.
            c.epochs = ckpt.requireInt("epochs");
        }
        int done = ckpt.epoch();
        if (c.epochs <= done) {
            throw new CommandLine.ParameterException(c.spec.commandLine(), "--epochs " + c.epochs + ": " + ckpt.file()
                    + " has already done " + done + " epoch(s); give the total number of epochs wanted, more than " + done);
        }
    }

    /** The epoch training starts at: 1, or the one after the resumed checkpoint's. */
    int firstEpoch() {
        return resumed == null ? 1 : resumed.epoch() + 1;
    }

    /** Loads the resumed checkpoint into the freshly made model and optimizer, and says so. */
    void restore(Module net, Optimizer opt, PrintWriter out) {
        if (resumed == null) {
            return;
        }
        Checkpoints.restore(resumed, net, opt);
        if (!command.json) {
            out.printf("resumed %s: epoch %d, step %s; continuing at epoch %d of %d%n", resumed.file(), resumed.epoch(),
                    resumed.metadata().getOrDefault(Checkpoints.STEP, "?"), firstEpoch(), command.epochs);
            out.flush();
        }
    }

    /** {@code inner}, then saving (when checkpointing). */
    TrainingListener listener(TrainingListener inner, Module net, Optimizer opt, Dataset train, PrintWriter out,
                              PrintWriter err) {
        if (dir == null) {
            return inner;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoints.MYELIN_VERSION, Version.current());
        meta.put(Checkpoints.MODEL, command.model);
        meta.put(Checkpoints.ARCHITECTURE, net.toString());
        meta.put(Checkpoints.INPUTS, Integer.toString(train.featureSize()));
        meta.put(Checkpoints.CLASSES, Integer.toString(train.classes()));
        meta.put(Checkpoints.SEED, Long.toString(command.seed));
        meta.put("batch_size", Integer.toString(command.batchSize));
        // The schedule's base rate and shape: optimizer.lr holds the rate of the last step, already annealed.
        meta.put("lr", Float.toString(command.lr));
        meta.put("lr_schedule", command.lrSchedule);
        meta.put("warmup_steps", Integer.toString(command.warmupSteps));
        meta.put("epochs", Integer.toString(command.epochs));
        if (command.limit != null) {
            meta.put("limit", Integer.toString(command.limit));
        }
        double best = resumed == null ? Double.NaN : resumed.doubleOr(CheckpointCallback.BEST_TEST_ACCURACY, Double.NaN);
        callback = new CheckpointCallback(dir, net, opt, meta, best, message -> {
            err.println("myelin: warning: " + message);
            err.flush();
        });
        if (resumed != null) {
            callback.metrics().keepUpTo(resumed.epoch());
        }
        return new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                inner.epochStarted(epoch, epochs, batches);
                callback.epochStarted(epoch, epochs, batches);
            }

            @Override
            public void stepFinished(int epoch, int batch, double recentLoss) {
                inner.stepFinished(epoch, batch, recentLoss);
            }

            @Override
            public void epochFinished(EpochResult result) {
                inner.epochFinished(result);
                callback.epochFinished(result);
                if (!command.json) {
                    out.printf("saved %s%s%n", callback.lastSaved(), callback.lastWasBest() ? " and " + Checkpoints.BEST : "");
                    out.flush();
                }
            }
        };
    }

    /** The divergence, naming the last good checkpoint when checkpointing. */
    RuntimeException diverged(TrainingDivergedException e) {
        if (dir == null) {
            return e;
        }
        Path last = callback == null ? null : callback.lastSaved();
        if (last == null && resumed != null) {
            last = resumed.file();
        }
        return e.withCheckpoint(last == null ? null : last.toString());
    }
}
