package dev.myelin.cli;

import com.google.gson.GsonBuilder;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.checkpoint.Checkpoint;
import dev.myelin.checkpoint.CheckpointException;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.data.Dataset;
import dev.myelin.data.Mnist;
import dev.myelin.nn.Module;
import dev.myelin.train.Evaluation;
import dev.myelin.train.Models;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", sortOptions = false,
        description = "Evaluate a checkpoint on the MNIST test set: accuracy and the confusion matrix. "
                + "The model is rebuilt from the checkpoint's metadata.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A .safetensors checkpoint written by train.")
    Path checkpoint;

    @Option(names = "--data", description = "Folder holding the MNIST IDX files (default: $$MYELIN_DATA, else the user cache, downloading when missing).")
    Path data;

    @Option(names = "--backend", defaultValue = "${env:MYELIN_BACKEND:-auto}",
            description = "auto, cpu, opencl or cuda (default: $$MYELIN_BACKEND, else auto).")
    String backend;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Checkpoint ckpt = Checkpoints.read(checkpoint);
        String modelName = ckpt.modelName();
        if (dev.myelin.train.CharModels.NAMES.contains(modelName)) {
            throw new CheckpointException(checkpoint + ": holds a " + modelName + " language model; eval scores MNIST "
                    + "classifiers (generate text with sample --checkpoint)");
        }
        int inputs = ckpt.requireInt(Checkpoints.INPUTS);
        int classes = ckpt.requireInt(Checkpoints.CLASSES);
        Path dir = Mnist.resolve(data, message -> {
            err.println(message);
            err.flush();
        });
        Dataset test = Models.prepareInputs(modelName, Mnist.loadTest(dir));

        Backends.Selection selection = Backends.open(backend);
        try (Backend be = selection.backend()) {
            for (String passed : selection.passedOver()) {
                err.println("passed over " + passed);
            }
            Module net;
            try {
                net = Models.create(modelName, be, inputs, classes, 0);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(checkpoint + ": cannot rebuild the model: " + e.getMessage(), e);
            }
            try {
                checkFits(net, inputs, classes, test, dir);
                Checkpoints.restore(ckpt, net, null);
                Evaluation result = Evaluation.of(net, test, 1000);
                print(out, be, ckpt, net, result);
            } finally {
                net.close();
            }
        }
        return Main.EXIT_OK;
    }

    /** The data must have as many features per sample as the model's first layer takes, and no more classes. */
    private void checkFits(Module net, int inputs, int classes, Dataset test, Path dir) {
        if (inputs == test.featureSize() && classes >= test.classes()) {
            return;
        }
        var first = net.children().entrySet().iterator().next();
        if (inputs != test.featureSize()) {
            throw new CheckpointException(checkpoint + ": the model does not take this data: layer " + first.getKey()
                    + " (" + first.getValue() + ") expects input of shape [N, " + inputs + "], the test set in " + dir
                    + " has shape [" + test.count() + ", " + test.featureSize() + "]");
        }
        throw new CheckpointException(checkpoint + ": the model predicts " + classes + " classes, the test set in "
                + dir + " has " + test.classes());
    }

    private void print(PrintWriter out, Backend be, Checkpoint ckpt, Module net, Evaluation result) {
        long[][] confusion = result.confusion();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("checkpoint", checkpoint.toString());
            j.put("backend", be.kind().id());
            j.put("model", ckpt.modelName());
            j.put("architecture", net.toString());
            j.put("epoch", ckpt.metadata().get(Checkpoints.EPOCH));
            j.put("step", ckpt.metadata().get(Checkpoints.STEP));
            j.put("test_accuracy", result.accuracy());
            j.put("correct", result.correct());
            j.put("count", result.count());
            j.put("confusion", confusion);
            out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(j));
            out.flush();
            return;
        }
        out.printf("checkpoint: %s (%s %s, epoch %s, step %s)%n", checkpoint, ckpt.modelName(), net,
                ckpt.metadata().getOrDefault(Checkpoints.EPOCH, "?"), ckpt.metadata().getOrDefault(Checkpoints.STEP, "?"));
        out.printf("backend: %s%n", be.description());
        out.printf("test accuracy %.2f %% (%d of %d)%n", 100 * result.accuracy(), result.correct(), result.count());
        out.println("confusion matrix (rows: true label, columns: predicted):");
        StringBuilder head = new StringBuilder("      ");
        for (int c = 0; c < confusion.length; c++) {
            head.append(String.format("%6d", c));
        }
        out.println(head);
        for (int r = 0; r < confusion.length; r++) {
            StringBuilder row = new StringBuilder(String.format("%6d", r));
            for (long v : confusion[r]) {
                row.append(String.format("%6d", v));
            }
            out.println(row);
        }
        out.flush();
    }
}
