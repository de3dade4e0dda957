package dev.myelin.cli;

import com.google.gson.GsonBuilder;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.data.CharBatches;
import dev.myelin.data.CharText;
import dev.myelin.optim.Adam;
import dev.myelin.optim.LrSchedule;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.Sgd;
import dev.myelin.train.CharModel;
import dev.myelin.train.CharModelConfig;
import dev.myelin.train.CharModels;
import dev.myelin.train.ProgressBarListener;
import dev.myelin.train.SequenceCheckpointCallback;
import dev.myelin.train.SequenceEpochResult;
import dev.myelin.train.SequenceTrainer;
import dev.myelin.train.SequenceTrainingListener;
import dev.myelin.train.TrainingDivergedException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code train --model char-lstm|char-gru|char-rnn|char-transformer --data FILE}: a character-level
 * language model on a text, kept out of {@link TrainCommand}, which parses the options and checks
 * which apply. Reports the validation loss in nats and bits per character after every epoch.
 */
final class CharTraining {
    /** Steps left out of ms_per_step_after_warmup. */
    static final int WARMUP_STEPS = 10;

    private final TrainCommand c;
    private final CommandLine cl;

    CharTraining(TrainCommand command) {
        this.c = command;
        this.cl = command.spec.commandLine();
    }

    /** What the character models bring where the user gave no value: batch 32, their learning rate, clipping at norm 1, one epoch. */
    static void applyDefaults(TrainCommand c, CommandLine.ParseResult given) {
        if (!given.hasMatchedOption("--batch-size")) {
            c.batchSize = CharModels.DEFAULT_BATCH_SIZE;
        }
        if (!given.hasMatchedOption("--lr") && (c.optimizer == TrainCommand.OptimizerName.adam
                || c.optimizer == TrainCommand.OptimizerName.adamw)) {
            c.lr = CharModels.defaultLearningRate(c.model);
        }
        if (!given.hasMatchedOption("--epochs")) {
            c.epochs = 1;
        }
        if (c.control.clipGradNorm == null) {
            c.control.clipGradNorm = CharModels.DEFAULT_CLIP_GRAD_NORM;
        }
    }

    int run() {
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        if (c.data == null) {
            throw new CommandLine.ParameterException(cl, "--model " + c.model + " needs --data FILE (a UTF-8 text file, plain or gzipped)");
        }
        if (c.checkpoint != null) {
            dev.myelin.train.CheckpointCallback.prepare(c.checkpoint);
        }
        java.util.concurrent.CompletableFuture.runAsync(Backends::probeAll);
        CharText text = CharText.load(c.data, c.limit);
        double fraction = c.control.valSplit != null ? c.control.valSplit : CharText.DEFAULT_VALIDATION_FRACTION;
        CharText.Split split = text.split(fraction);
        float dropout = c.control.dropout == null ? 0f : c.control.dropout.get(0);
        CharModelConfig config = c.charOptions.config(cl, c.model, text.vocabulary().size(), dropout);
        CharBatches train = new CharBatches(split.train(), c.batchSize, config.context(), "the training text of " + c.data
                + " (the first " + split.train().length + " characters)");
        // The validation text is a tenth of the training text: it gets fewer streams when it cannot fill the batch's.
        int validationStreams = Math.min(c.batchSize, Math.max(1, (split.validation().length - 1) / config.context()));
        CharBatches validation = new CharBatches(split.validation(), validationStreams, config.context(),
                "the validation text of " + c.data + " (the last " + split.validation().length + " characters)");
        long maxSteps = c.charOptions.steps == null ? 0 : c.charOptions.steps;
        int epochs = c.epochs;
        if (c.charOptions.steps != null && !cl.getParseResult().hasMatchedOption("--epochs")) {
            epochs = (int) Math.max(1, (maxSteps + train.chunks() - 1) / train.chunks());
        }

        Backends.Selection selection = Backends.open(c.backend);
        try (Backend be = selection.backend()) {
            if (be.kind() != dev.myelin.backend.BackendKind.CPU) {
                dev.myelin.backend.cpu.CpuWarmUp.stop(); // Main started it, in case the CPU would run
            }
            if (!c.json) {
                out.printf("backend: %s%n", be.description());
                out.flush();
            }
            for (String passed : selection.passedOver()) {
                err.println("passed over " + passed);
            }
            CharModel net = CharModels.create(config, be, c.seed);
            Optimizer opt = switch (c.optimizer) {
                case adam -> new Adam(net.parameters(), c.lr, 0.9f, 0.999f, 1e-8f, c.weightDecay, false);
                case adamw -> dev.myelin.optim.AdamW.create(net.parameters(), c.lr, c.weightDecay);
                case adadelta -> new dev.myelin.optim.Adadelta(net.parameters(), c.lr, 0.9f, 1e-6f, c.weightDecay);
                case sgd -> new Sgd(net.parameters(), c.lr, c.momentum, c.weightDecay, c.nesterov);
            };
            long planned = SequenceTrainer.plannedSteps(train, epochs, maxSteps);
            if (!c.json) {
                out.printf("model: %s: %s, %,d parameters%n", config, net, net.parameterCount());
                out.printf("data: %s, %,d characters (%d distinct): %,d for training in %d streams, %,d for validation in %d; "
                                + "%d chunks of %d per epoch%n", c.data, text.length(), text.vocabulary().size(),
                        split.train().length, train.streams(), split.validation().length, validation.streams(),
                        train.chunks(), config.context());
                out.printf("training: %s, lr %s (%s%s), clip %s, batch %d, %d epoch(s), %,d steps%n", c.optimizer, c.lr,
                        c.lrSchedule, c.warmupSteps > 0 ? ", warm-up " + c.warmupSteps + " steps" : "",
                        c.control.clipGradNorm, c.batchSize, epochs, planned);
                out.flush();
            }
            double[] startup = {Double.NaN};
            // Steady-state speed: the time of every step after the first WARMUP_STEPS (JIT compilation,
            // kernel builds, pool growth), validation left out.
            long[] steady = {0, 0, 0}; // last mark (ns), nanoseconds, steps
            SequenceTrainingListener progress = SequenceTrainingListener.showing(
                    c.noProgress ? dev.myelin.train.TrainingListener.NONE : new ProgressBarListener(System.err));
            SequenceCheckpointCallback saver = c.checkpoint == null ? null
                    : new SequenceCheckpointCallback(c.checkpoint, net, opt, metadata(config, text, fraction));
            int runEpochs = epochs;
            SequenceTrainingListener listener = new SequenceTrainingListener() {
                @Override
                public void epochStarted(int epoch, int total, int chunks) {
                    progress.epochStarted(epoch, total, chunks);
                    steady[0] = System.nanoTime();
                }

                @Override
                public void stepFinished(int epoch, int chunk, long step, double recentLoss) {
                    if (Double.isNaN(startup[0])) {
                        startup[0] = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
                    }
                    progress.stepFinished(epoch, chunk, step, recentLoss);
                    long now = System.nanoTime();
                    if (step > WARMUP_STEPS) {
                        steady[1] += now - steady[0];
                        steady[2]++;
                    }
                    steady[0] = now;
                }

                @Override
                public void epochFinished(SequenceEpochResult r) {
                    progress.epochFinished(r);
                    if (saver != null) {
                        saver.epochFinished(r);
                    }
                    if (!c.json) {
                        out.printf("epoch %d/%d  step %d  train loss %.4f  val loss %.4f nats/char (%.4f bits/char)  %.1f s  %.1f ms/step%s%n",
                                r.epoch(), runEpochs, r.steps(), r.trainLoss(), r.validationLoss(), r.validationBitsPerChar(),
                                r.seconds(), r.msPerStep(), saver == null ? "" : "  saved " + saver.lastSaved());
                        out.flush();
                    }
                }
            };
            List<SequenceEpochResult> results;
            try (SequenceTrainer trainer = new SequenceTrainer(net, opt)) {
                LrSchedule schedule = c.control.schedule(c.lrSchedule, c.lr, c.warmupSteps, epochs);
                results = trainer.clipGradNorm(c.control.clipGradNorm).schedule(schedule)
                        .fit(train, validation, epochs, maxSteps, listener);
            } catch (TrainingDivergedException e) {
                throw saver == null ? e : e.withCheckpoint(saver.lastSaved() == null ? null : saver.lastSaved().toString());
            } finally {
                opt.close();
                net.close();
            }
            SequenceEpochResult last = results.get(results.size() - 1);
            if (c.json) {
                out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create()
                        .toJson(summary(be, config, net.parameterCount(), text, train, validation, results, startup[0],
                                steady[2] == 0 ? Double.NaN : steady[1] / 1e6 / steady[2])));
            } else {
                out.printf("validation loss %.4f nats/char (%.4f bits/char) after %d steps; %.1f ms/step, %.1f after the first %d "
                                + "(first step %.2f s after JVM start)%n", last.validationLoss(), last.validationBitsPerChar(),
                        last.steps(), msPerStep(results), steady[2] == 0 ? Double.NaN : steady[1] / 1e6 / steady[2],
                        WARMUP_STEPS, startup[0]);
            }
            out.flush();
        }
        return Main.EXIT_OK;
    }

    private Map<String, String> metadata(CharModelConfig config, CharText text, double fraction) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoints.MYELIN_VERSION, Version.current());
        meta.put(Checkpoints.MODEL, c.model);
        meta.putAll(config.toMetadata());
        meta.put(CharModelConfig.VOCABULARY, text.vocabulary().characters());
        meta.put(Checkpoints.SEED, Long.toString(c.seed));
        meta.put("data", c.data.getFileName().toString());
        if (c.limit != null) {
            meta.put("limit", Integer.toString(c.limit));
        }
        meta.put("validation_fraction", Double.toString(fraction));
        meta.put("batch_size", Integer.toString(c.batchSize));
        meta.put("lr", Float.toString(c.lr));
        meta.put("lr_schedule", c.lrSchedule);
        meta.put("warmup_steps", Integer.toString(c.warmupSteps));
        meta.put("clip_grad_norm", Float.toString(c.control.clipGradNorm));
        return meta;
    }

    private static double msPerStep(List<SequenceEpochResult> results) {
        double seconds = results.stream().mapToDouble(SequenceEpochResult::seconds).sum();
        long steps = results.get(results.size() - 1).steps();
        return 1000 * seconds / steps;
    }

    private Map<String, Object> summary(Backend be, CharModelConfig config, long parameters, CharText text, CharBatches train,
                                        CharBatches validation, List<SequenceEpochResult> results, double startup,
                                        double steadyMsPerStep) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("backend", be.kind().id());
        json.put("device", be.device().name());
        json.put("model", c.model);
        json.put("layers", config.layers());
        if (!config.isTransformer()) {
            json.put("hidden", config.hidden());
        }
        json.put("embedding", config.embedding());
        if (config.isTransformer()) {
            json.put("heads", config.heads());
        }
        json.put("context", config.context());
        json.put("dropout", config.dropout());
        json.put("parameters", parameters);
        json.put("vocabulary", text.vocabulary().size());
        json.put("train_characters", train.streams() * (long) train.chunks() * train.length());
        json.put("validation_characters", validation.streams() * (long) validation.chunks() * validation.length());
        json.put("optimizer", c.optimizer.name());
        json.put("lr", c.lr);
        json.put("lr_schedule", c.lrSchedule);
        json.put("clip_grad_norm", c.control.clipGradNorm);
        json.put("batch_size", c.batchSize);
        json.put("seed", c.seed);
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (SequenceEpochResult r : results) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", r.epoch());
            e.put("steps", r.steps());
            e.put("train_loss", r.trainLoss());
            e.put("val_loss", r.validationLoss());
            e.put("val_bpc", r.validationBitsPerChar());
            e.put("seconds", r.seconds());
            e.put("ms_per_step", r.msPerStep());
            epochs.add(e);
        }
        json.put("epochs", epochs);
        SequenceEpochResult last = results.get(results.size() - 1);
        json.put("steps", last.steps());
        json.put("val_loss", last.validationLoss());
        json.put("val_bpc", last.validationBitsPerChar());
        json.put("seconds", results.stream().mapToDouble(SequenceEpochResult::seconds).sum());
        json.put("ms_per_step", msPerStep(results));
        json.put("ms_per_step_after_warmup", steadyMsPerStep);
        json.put("timing_warmup_steps", WARMUP_STEPS);
        json.put("startup_seconds", startup);
        return json;
    }
}
