package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network part that owns parameters and sub-modules, like torch.nn.Module. Parameters are named by
 * their path ("0.weight", "encoder.1.bias") in registration order, as PyTorch's state_dict names them.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    /** State that is saved with the model but not trained (batch norm's running statistics). */
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor input);

    protected final Parameter registerParameter(String name, Tensor data) {
        Parameter parameter = new Parameter(data);
        if (parameters.putIfAbsent(name, parameter) != null) {
            throw new IllegalArgumentException("parameter '" + name + "' registered twice in " + this);
        }
        return parameter;
    }

    /** Registers a non-trainable state tensor (kept out of every scope; released with the module). */
    protected final Tensor registerBuffer(String name, Tensor data) {
        if (buffers.putIfAbsent(name, data.keep()) != null) {
            throw new IllegalArgumentException("buffer '" + name + "' registered twice in " + this);
        }
        return data;
    }

    /** Every buffer (non-trainable state, e.g. "1.running_mean") of this module and its sub-modules, by path. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> all = new LinkedHashMap<>(buffers);
        children.forEach((childName, child) ->
                child.namedBuffers().forEach((name, b) -> all.put(childName + "." + name, b)));
        return all;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        if (children.putIfAbsent(name, module) != null) {
            throw new IllegalArgumentException("module '" + name + "' registered twice in " + this);
        }
        return module;
    }

    /** Direct sub-modules by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter of this module and its sub-modules, by path. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> all = new LinkedHashMap<>(parameters);
        children.forEach((childName, child) ->
                child.namedParameters().forEach((name, p) -> all.put(childName + "." + name, p)));
        return all;
    }

    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Number of trainable values. */
    public final long parameterCount() {
        return parameters().stream().mapToLong(Parameter::size).sum();
    }

    /** Training mode (dropout active, batch statistics), as opposed to evaluation. Applies to sub-modules. */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        return this;
    }

    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Releases every parameter (and its gradient). */
    @Override
    public void close() {
        parameters.values().forEach(Parameter::close);
        buffers.values().forEach(Tensor::close);
        children.values().forEach(Module::close);
    }
}
