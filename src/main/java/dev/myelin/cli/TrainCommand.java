package dev.myelin.cli;

import com.google.gson.GsonBuilder;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.data.Dataset;
import dev.myelin.data.Mnist;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.Sgd;
import dev.myelin.train.EpochResult;
import dev.myelin.train.Models;
import dev.myelin.train.ProgressBarListener;
import dev.myelin.train.Trainer;
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
        description = "Train a network on MNIST and report loss, test accuracy and speed per epoch.")
final class TrainCommand implements Callable<Integer> {
    enum OptimizerName { sgd, adam, adamw, adadelta }

    @Option(names = "--model", defaultValue = "mlp", description = "Network: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Samples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

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

    @Option(names = "--data", description = "Folder holding the MNIST IDX files (default: $$MYELIN_DATA, else the user cache, downloading when missing).")
    Path data;

    @Option(names = "--limit", description = "Train on the first N training images only.")
    Integer limit;

    @Option(names = "--json", description = "Print one JSON object with every epoch's figures as the last line of stdout.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @CommandLine.Mixin
    ControlOptions control = new ControlOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class ModelNames extends ArrayList<String> {
        ModelNames() {
            super(Models.NAMES);
        }
    }

    private void validate() {
        var cl = spec.commandLine();
        if (!Models.NAMES.contains(model)) {
            throw new CommandLine.ParameterException(cl, "unknown --model '" + model + "' (expected one of " + Models.NAMES + ")");
        }
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
        if (limit != null && limit < 1) {
            throw new CommandLine.ParameterException(cl, "--limit must be at least 1, got " + limit);
        }
        control.validate(cl, epochs);
    }

    @Override
    public Integer call() {
        control.applyModelDefaults(this, spec.commandLine().getParseResult());
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = Mnist.resolve(data, message -> {
            err.println(message);
            err.flush();
        });
        Mnist.MnistData mnist = Mnist.load(dir);
        Dataset train = limit == null || limit >= mnist.train().count() ? mnist.train() : mnist.train().slice(0, limit);
        Dataset test = mnist.test();
        if ("cnn".equals(model)) {
            // The PyTorch MNIST example's Normalize((0.1307,), (0.3081,)), once for the whole dataset.
            train = dev.myelin.data.Transforms.normalize(train, 0.1307f, 0.3081f);
            test = dev.myelin.data.Transforms.normalize(test, 0.1307f, 0.3081f);
        }

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
            if (!json) {
                out.printf("model: %s %s, %,d parameters; %s, lr %s%s, batch %d; %,d training images%n",
                        model, net, net.parameterCount(), optimizer, lr, control.describe(), batchSize, train.count());
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
            int restored;
            try (Trainer trainer = new Trainer(net, opt)) {
                results = trainer.control(control.control(lr, epochs)).fit(train, test, epochs, batchSize, seed, listener);
                restored = trainer.restoredEpoch();
            } finally {
                opt.close();
                net.close();
            }
            // With early stopping the model holds the best epoch's weights, whose test accuracy that epoch measured.
            double accuracy = results.get((restored > 0 ? restored : results.size()) - 1).testAccuracy();
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
