package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Modules applied in order, named "0", "1", ... as in PyTorch. A {@link Linear} followed by an
 * {@link ActivationLayer} (or a {@link Conv2d} followed by one) runs as one fused op, which saves a pass over the activations forward and
 * backward.
 */
public final class Sequential extends Module {
    private final List<Module> layers;

    public Sequential(Module... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    public List<Module> layers() {
        return layers;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0; i < layers.size(); i++) {
            Module layer = layers.get(i);
            if (layer instanceof Linear linear && i + 1 < layers.size()
                    && layers.get(i + 1) instanceof ActivationLayer activation) {
                x = linear.forward(x, activation.activation());
                i++;
            } else if (layer instanceof Conv2d conv && i + 1 < layers.size()
                    && layers.get(i + 1) instanceof ActivationLayer activation) {
                x = conv.forward(x, activation.activation());
                i++;
            } else {
                x = layer.forward(x);
            }
        }
        return x;
    }

    @Override
    public String toString() {
        return layers.stream().map(Object::toString).collect(Collectors.joining(", ", "Sequential(", ")"));
    }
}
