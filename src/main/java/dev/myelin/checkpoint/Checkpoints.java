package dev.myelin.checkpoint;

import dev.myelin.nn.Module;
import dev.myelin.nn.Parameter;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Saves and restores a model and its optimizer as one safetensors file. Tensors are named as PyTorch's
 * state_dict names them for the equivalent {@code nn.Sequential} ("0.weight" [out, in], "0.bias"),
 * optimizer state as {@code optimizer.<parameter>.<state>} ("optimizer.0.weight.exp_avg"); the model,
 * optimizer, progress and seed are in the string metadata, so a checkpoint alone says how to rebuild
 * and continue the run.
 */
public final class Checkpoints {
    public static final String LAST = "last.safetensors";
    public static final String BEST = "best.safetensors";

    public static final String FORMAT = "format";
    public static final String FORMAT_VALUE = "myelin-checkpoint-1";
    public static final String MYELIN_VERSION = "myelin_version";
    public static final String MODEL = "model";
    public static final String ARCHITECTURE = "architecture";
    public static final String INPUTS = "inputs";
    public static final String CLASSES = "classes";
    public static final String OPTIMIZER = "optimizer";
    public static final String OPTIMIZER_STATE = "optimizer.state";
    public static final String OPTIMIZER_STEP = "optimizer.step";
    public static final String EPOCH = "epoch";
    public static final String STEP = "step";
    public static final String SEED = "seed";
    static final String PREFIX = "optimizer.";

    private Checkpoints() {
    }

    /**
     * Writes {@code file} atomically: model parameters, optimizer state (when {@code optimizer} is not
     * null) and {@code metadata}, to which the optimizer's name, hyperparameters, state names and step
     * count are added.
     */
    public static void save(Path file, Module model, Optimizer optimizer, Map<String, String> metadata) {
        save(file, model, optimizer, metadata, UnaryOperator.identity());
    }

    /** As {@link #save(Path, Module, Optimizer, Map)}, with {@code sink} around the disk stream (for tests). */
    public static void save(Path file, Module model, Optimizer optimizer, Map<String, String> metadata,
                            UnaryOperator<OutputStream> sink) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT, FORMAT_VALUE);
        meta.putAll(metadata);
        List<SafeTensors.Source> tensors = new ArrayList<>();
        Map<String, Parameter> named = model.namedParameters();
        named.forEach((name, p) -> tensors.add(source(name, p.data())));
        // Buffers (batch norm's running statistics) under their state_dict names, as PyTorch saves them.
        model.namedBuffers().forEach((name, t) -> tensors.add(source(name, t)));
        if (optimizer != null) {
            meta.put(OPTIMIZER, optimizer.name());
            optimizer.hyperparameters().forEach((k, v) -> meta.put(PREFIX + k, v));
            meta.put(OPTIMIZER_STATE, String.join(",", optimizer.stateNames()));
            meta.put(OPTIMIZER_STEP, Integer.toString(optimizer.steps()));
            List<String> names = namesOf(model, optimizer);
            for (String state : optimizer.stateNames()) {
                for (int i = 0; i < names.size(); i++) {
                    Tensor t = optimizer.state(state, i);
                    if (t != null) {
                        tensors.add(source(PREFIX + names.get(i) + "." + state, t));
                    }
                }
            }
        }
        try {
            AtomicFiles.write(file, out -> SafeTensors.write(out, meta, tensors), sink);
        } catch (FileSystemException e) {
            throw new CheckpointException(file + ": cannot write checkpoint: " + describe(e), e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write checkpoint: " + e.getMessage()
                    + " (the previous checkpoint, if any, is unchanged)", e);
        }
    }

    static String describe(FileSystemException e) {
        String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
        return (e.getFile() == null ? "" : e.getFile() + ": ") + reason;
    }

    private static SafeTensors.Source source(String name, Tensor t) {
        return new SafeTensors.Source(name, t.shape().dims(), t::toArray);
    }

    /** Reads and checks the file's format; {@link #restore} checks it against a model. */
    public static Checkpoint read(Path file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        return new Checkpoint(file, contents.metadata(), contents.tensors());
    }

    /**
     * Loads the checkpoint's parameters into {@code model} and, when {@code optimizer} is not null, its
     * state into the optimizer. Names and shapes must match exactly; nothing is changed unless they do.
     */
    public static void restore(Checkpoint checkpoint, Module model, Optimizer optimizer) {
        Path file = checkpoint.file();
        Map<String, Parameter> named = model.namedParameters();
        Map<String, SafeTensors.Entry> tensors = checkpoint.tensors();
        Set<String> unused = new LinkedHashSet<>(tensors.keySet());
        List<Runnable> loads = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            SafeTensors.Entry entry = tensors.get(e.getKey());
            if (entry == null) {
                throw new CheckpointException(file + ": checkpoint does not fit the model: no tensor '" + e.getKey()
                        + "' (the model needs " + named.keySet() + ")");
            }
            loads.add(check(file, entry, e.getValue().data(), "model parameter"));
            unused.remove(e.getKey());
        }
        for (Map.Entry<String, Tensor> e : model.namedBuffers().entrySet()) {
            SafeTensors.Entry entry = tensors.get(e.getKey());
            if (entry == null) {
                throw new CheckpointException(file + ": checkpoint does not fit the model: no buffer '" + e.getKey()
                        + "' (the model needs " + model.namedBuffers().keySet() + ")");
            }
            loads.add(check(file, entry, e.getValue(), "model buffer"));
            unused.remove(e.getKey());
        }
        if (optimizer != null) {
            String saved = checkpoint.metadata().get(OPTIMIZER);
            if (saved != null && !saved.equals(optimizer.name())) {
                throw new CheckpointException(file + ": checkpoint was trained with " + saved + ", not " + optimizer.name());
            }
            List<String> names = namesOf(model, optimizer);
            for (int i = 0; i < names.size(); i++) {
                List<String> found = new ArrayList<>();
                for (String state : optimizer.stateNames()) {
                    if (tensors.containsKey(PREFIX + names.get(i) + "." + state)) {
                        found.add(state);
                    }
                }
                if (!found.isEmpty() && found.size() != optimizer.stateNames().size()) {
                    throw new CheckpointException(file + ": damaged checkpoint: parameter '" + names.get(i)
                            + "' has optimizer state " + found + " but " + optimizer.name() + " needs " + optimizer.stateNames());
                }
                for (String state : found) {
                    String key = PREFIX + names.get(i) + "." + state;
                    int index = i;
                    SafeTensors.Entry entry = tensors.get(key);
                    checkShape(file, entry, optimizer.parameters().get(i).data(), "optimizer state");
                    loads.add(() -> {
                        Tensor t = optimizer.stateForLoading(state, index);
                        t.backend().upload(entry.values(), 0, t.buffer(), 0, entry.values().length);
                    });
                    unused.remove(key);
                }
            }
        } else {
            unused.removeIf(name -> name.startsWith(PREFIX));
        }
        if (!unused.isEmpty()) {
            throw new CheckpointException(file + ": checkpoint does not fit the model: unexpected tensor(s) " + unused
                    + " (the model has " + named.keySet() + ")");
        }
        loads.forEach(Runnable::run);
        if (optimizer != null && checkpoint.metadata().containsKey(OPTIMIZER_STEP)) {
            optimizer.setSteps(checkpoint.requireInt(OPTIMIZER_STEP));
        }
    }

    /** Checks the shape now; the returned action uploads the values into {@code target}. */
    private static Runnable check(Path file, SafeTensors.Entry entry, Tensor target, String what) {
        checkShape(file, entry, target, what);
        return () -> target.backend().upload(entry.values(), 0, target.buffer(), 0, entry.values().length);
    }

    private static void checkShape(Path file, SafeTensors.Entry entry, Tensor target, String what) {
        int[] expected = target.shape().dims();
        if (!Arrays.equals(expected, entry.shape())) {
            throw new CheckpointException(file + ": checkpoint does not fit the model: " + what + " '" + entry.name()
                    + "' has shape " + Arrays.toString(entry.shape()) + ", the model expects " + Arrays.toString(expected));
        }
    }

    /** The model's name for each of the optimizer's parameters. */
    private static List<String> namesOf(Module model, Optimizer optimizer) {
        Map<Parameter, String> byParameter = new java.util.IdentityHashMap<>();
        model.namedParameters().forEach((name, p) -> byParameter.put(p, name));
        List<String> names = new ArrayList<>();
        for (Parameter p : optimizer.parameters()) {
            String name = byParameter.get(p);
            if (name == null) {
                throw new IllegalArgumentException("the optimizer updates a parameter the model does not have");
            }
            names.add(name);
        }
        return names;
    }
}
