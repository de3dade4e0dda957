package dev.myelin.cli;

import com.google.gson.GsonBuilder;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.data.Dataset;
import dev.myelin.data.Mnist;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import dev.myelin.optim.LrSchedule;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.Sgd;
import dev.myelin.train.CharModels;
import dev.myelin.train.EpochResult;
import dev.myelin.train.Models;
import dev.myelin.train.ProgressBarListener;
import dev.myelin.train.Trainer;
import dev.myelin.train.TrainingDivergedException;
import dev.myelin.train.TrainingListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", sortOptions = false,
        description = "Train a network on MNIST and report loss, test accuracy and speed per epoch; or, with --model char-*, "
                + "a character-level language model on a text file, reporting validation loss in nats and bits per character.")
final class TrainCommand implements Callable<Integer> {
    enum OptimizerName { sgd, adam, adamw, adadelta }

    @Option(names = "--model", defaultValue = "mlp", description = "Network: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}; 1 for char-* models).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128",
            description = "Samples per step (default: ${DEFAULT-VALUE}; 64 for cnn; for char-* models, 32 parallel text streams).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3",
            description = "Learning rate (default: ${DEFAULT-VALUE}; with Adam, 8e-3 for char-lstm, char-gru and char-rnn, 4e-3 for char-transformer).")
    float lr;

    @Option(names = "--lr-schedule", defaultValue = "cosine",
            description = "cosine (anneal from --lr to 0 over the run), step (StepLR: x --lr-gamma every --lr-step-size epochs) "
                    + "or constant/none (default: ${DEFAULT-VALUE}; step for --model cnn).")
    String lrSchedule;

    @Option(names = "--warmup-steps", defaultValue = "0", description = "Linear warm-up steps for the cosine schedule (default: ${DEFAULT-VALUE}).")
    int warmupSteps;

    @Option(names = "--optimizer", defaultValue = "adam", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OptimizerName optimizer;

    @Option(names = "--momentum", defaultValue = "0", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--nesterov", description = "SGD with Nesterov momentum.")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", defaultValue = "${env:MYELIN_BACKEND:-auto}",
            description = "auto, cpu, opencl or cuda (default: $$MYELIN_BACKEND, else auto).")
    String backend;

    @Option(names = "--data", description = "Folder holding the MNIST IDX files (default: $$MYELIN_DATA, else the user cache, "
            + "downloading when missing); for char-* models, the UTF-8 text file to learn (plain or gzipped; required).")
    Path data;

    @Option(names = "--limit", description = "Train on the first N training images only; for char-* models, on the first N characters of the text.")
    Integer limit;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "After every epoch save DIR/last.safetensors, "
            + "DIR/best.safetensors (best test accuracy; for char-* models lowest validation loss), DIR/metrics.jsonl "
            + "and (MNIST models) DIR/training.png.")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue from DIR/last.safetensors at its next epoch, "
            + "with its model, optimizer, seed and batch size unless given here; saves on to DIR unless --checkpoint is given.")
    Path resume;

    @Option(names = "--stop-after", paramLabel = "EPOCH",
            description = "Stop after this epoch of the --epochs run, as an interruption would; continue later with --resume.")
    Integer stopAfter;

    @Option(names = "--json", description = "Print one JSON object with every epoch's figures as the last line of stdout.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @CommandLine.Mixin
    ControlOptions control = new ControlOptions();

    @CommandLine.Mixin
    CharModelOptions charOptions = new CharModelOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class ModelNames extends ArrayList<String> {
        ModelNames() {
            super(Models.NAMES);
            addAll(CharModels.NAMES);
        }
    }

    private void validate() {
        var cl = spec.commandLine();
        if (!Models.NAMES.contains(model) && !CharModels.NAMES.contains(model)) {
            throw new CommandLine.ParameterException(cl, "unknown --model '" + model + "' (expected one of " + new ModelNames() + ")");
        }
        charOptions.validate(cl, model, control.dropout, lrSchedule);
        if (epochs < 1) {
            throw new CommandLine.ParameterException(cl, "--epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new CommandLine.ParameterException(cl, "--batch-size must be at least 1, got " + batchSize);
        }
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new CommandLine.ParameterException(cl, "--lr must be a positive number, got " + lr);
        }
        if (momentum < 0 || momentum >= 1) {
            throw new CommandLine.ParameterException(cl, "--momentum must be in [0, 1), got " + momentum);
        }
        if (weightDecay < 0) {
            throw new CommandLine.ParameterException(cl, "--weight-decay must be >= 0, got " + weightDecay);
        }
        if (!List.of("cosine", "constant", "none", "step").contains(lrSchedule)) {
            throw new CommandLine.ParameterException(cl, "--lr-schedule must be cosine, step or constant (none), got '" + lrSchedule + "'");
        }
        if (warmupSteps < 0) {
            throw new CommandLine.ParameterException(cl, "--warmup-steps must be >= 0, got " + warmupSteps);
        }
        if (stopAfter != null && (stopAfter < 1 || stopAfter > epochs)) {
            throw new CommandLine.ParameterException(cl, "--stop-after must be between 1 and --epochs (" + epochs + "), got " + stopAfter);
        }
        if (limit != null && limit < 1) {
            throw new CommandLine.ParameterException(cl, "--limit must be at least 1, got " + limit);
        }
        control.validate(cl, epochs, lrSchedule, warmupSteps);
    }

    @Override
    public Integer call() {
        control.applyModelDefaults(this, spec.commandLine().getParseResult());
        if (CharModels.NAMES.contains(model)) {
            CharTraining.applyDefaults(this, spec.commandLine().getParseResult());
            validate();
            return new CharTraining(this).run();
        }
        validate();
        TrainCheckpointing checkpoints = TrainCheckpointing.prepare(this);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = Mnist.resolve(data, message -> {
            err.println(message);
            err.flush();
        });
        // Probing (loading native libraries, listing devices) overlaps the data loading; probes are cached.
        // The backend itself is opened on this thread, since a CUDA context belongs to the thread making it.
        // The CPU backend's kernels compile meanwhile too, when it is the one that will run (see CpuWarmUp).
        String choice = backend == null ? "auto" : backend.trim().toLowerCase(java.util.Locale.ROOT);
        var warmUpKernels = model.equals("cnn") ? dev.myelin.backend.cpu.CpuWarmUp.Kernels.CONVOLUTION
                : dev.myelin.backend.cpu.CpuWarmUp.Kernels.DENSE;
        // With auto the warm-up starts before probing (~0.2 s) has said whether the CPU will run, and stops if not.
        boolean auto = choice.isEmpty() || choice.equals("auto");
        if (choice.equals("cpu") || auto) {
            dev.myelin.backend.cpu.CpuWarmUp.start(warmUpKernels);
        } else {
            dev.myelin.backend.cpu.CpuWarmUp.stop(); // Main started it before the flags were parsed
        }
        if (!choice.equals("cpu")) {
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                // Probes every backend (cached for the opening); with auto, the warm-up stops if the CPU will not run.
                dev.myelin.backend.BackendKind predicted = Backends.autoChoice();
                if (auto && predicted != dev.myelin.backend.BackendKind.CPU) {
                    dev.myelin.backend.cpu.CpuWarmUp.stop();
                }
            });
        }
        Mnist.MnistData mnist = Mnist.load(dir);
        Dataset train = limit == null || limit >= mnist.train().count() ? mnist.train() : mnist.train().slice(0, limit);
        Dataset test = mnist.test();
        // Once for the whole dataset (the CNN's Normalize((0.1307,), (0.3081,))), never per step.
        train = Models.prepareInputs(model, train);
        test = Models.prepareInputs(model, test);


        Backends.Selection selection = Backends.open(backend);
        try (Backend be = selection.backend()) {
            if (!json) {
                out.printf("backend: %s%n", be.description());
                out.flush();
            }
            for (String passed : selection.passedOver()) {
                err.println("passed over " + passed);
            }
            Module net = Models.create(model, be, train.featureSize(), train.classes(), seed, control.dropoutRates());
            Optimizer opt = switch (optimizer) {
                case adam -> new Adam(net.parameters(), lr, 0.9f, 0.999f, 1e-8f, weightDecay, false);
                case adamw -> dev.myelin.optim.AdamW.create(net.parameters(), lr, weightDecay);
                case adadelta -> new dev.myelin.optim.Adadelta(net.parameters(), lr, 0.9f, 1e-6f, weightDecay);
                case sgd -> new Sgd(net.parameters(), lr, momentum, weightDecay, nesterov);
            };
            checkpoints.restore(net, opt, out);
            if (!json) {
                out.printf("model: %s %s, %,d parameters; %s, lr %s (%s)%s, batch %d; %,d training images%n",
                        model, net, net.parameterCount(), optimizer, lr, lrSchedule, control.describe(), batchSize, train.count());
                out.flush();
            }
            double[] startup = {Double.NaN};
            TrainingListener progress = noProgress ? TrainingListener.NONE : new ProgressBarListener(System.err);
            TrainingListener listener = new TrainingListener() {
                @Override
                public void epochStarted(int epoch, int total, int batches) {
                    progress.epochStarted(epoch, total, batches);
                }

                @Override
                public void stepFinished(int epoch, int batch, double recentLoss) {
                    if (Double.isNaN(startup[0])) {
                        startup[0] = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
                    }
                    progress.stepFinished(epoch, batch, recentLoss);
                }

                @Override
                public void epochFinished(EpochResult r) {
                    progress.epochFinished(r);
                    if (!json) {
                        out.printf("epoch %d/%d  train loss %.4f%s  test accuracy %.2f %%  %.1f s  %,.0f samples/s%n",
                                r.epoch(), epochs, r.trainLoss(), Double.isNaN(r.validationLoss()) ? ""
                                        : String.format("  val loss %.4f", r.validationLoss()),
                                100 * r.testAccuracy(), r.seconds(), r.samplesPerSecond());
                        out.flush();
                    }
                }
            };
            List<EpochResult> results;
            int restored = 0;
            try (Trainer trainer = new Trainer(net, opt)) {
                if (stopAfter != null) {
                    trainer.stopAfter(stopAfter);
                }
                results = trainer.startAt(checkpoints.firstEpoch()).control(control.control())
                        .fit(train, test, epochs, batchSize, seed, control.schedule(lrSchedule, lr, warmupSteps, epochs),
                                checkpoints.listener(listener, net, opt, train, out, err));
                restored = trainer.restoredEpoch();
            } catch (TrainingDivergedException e) {
                throw checkpoints.diverged(e);
            } finally {
                opt.close();
                net.close();
            }
            if (results.isEmpty()) {
                throw new IllegalArgumentException("nothing to train: --stop-after " + stopAfter
                        + " comes before the first epoch to run (" + checkpoints.firstEpoch() + ")");
            }
            // With early stopping the model holds the best epoch's weights, whose test accuracy that epoch measured.
            int best = restored;
            double accuracy = results.stream().filter(r -> r.epoch() == best).findFirst()
                    .orElse(results.get(results.size() - 1)).testAccuracy();
            if (json) {
                out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create()
                        .toJson(summary(be, results, accuracy, startup[0], restored)));
            } else {
                out.printf("test accuracy %.2f %% after %d epochs (first step %.2f s after JVM start)%n",
                        100 * accuracy, epochs, startup[0]);
            }
            out.flush();
        }
        return Main.EXIT_OK;
    }

    private Map<String, Object> summary(Backend be, List<EpochResult> results, double accuracy, double startup, int restored) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("backend", be.kind().id());
        json.put("device", be.device().name());
        json.put("model", model);
        json.put("optimizer", optimizer.name());
        json.put("lr", lr);
        json.put("lr_schedule", lrSchedule);
        json.put("batch_size", batchSize);
        json.put("seed", seed);
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochResult r : results) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", r.epoch());
            e.put("train_loss", r.trainLoss());
            e.put("test_accuracy", r.testAccuracy());
            e.put("seconds", r.seconds());
            e.put("samples_per_second", r.samplesPerSecond());
            if (!Double.isNaN(r.validationLoss())) {
                e.put("validation_loss", r.validationLoss());
                e.put("validation_accuracy", r.validationAccuracy());
            }
            epochs.add(e);
        }
        json.put("epochs", epochs);
        json.put("test_accuracy", accuracy);
        if (restored > 0) {
            json.put("restored_epoch", restored);
        }
        json.put("startup_seconds", startup);
        return json;
    }
}
