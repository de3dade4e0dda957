package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.nn.Conv2d;
import dev.myelin.nn.Dropout;
import dev.myelin.nn.Flatten;
import dev.myelin.nn.Linear;
import dev.myelin.nn.MaxPool2d;
import dev.myelin.nn.Module;
import dev.myelin.nn.ReLU;
import dev.myelin.nn.Reshape;
import dev.myelin.nn.Sequential;

import java.util.List;
import java.util.SplittableRandom;

/** The named networks the command line trains. */
public final class Models {
    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("mlp", "mlp-large", "cnn");

    private Models() {
    }

    /**
     * @param inputs  features per sample (784 for MNIST)
     * @param classes number of classes
     */
    public static Module create(String name, Backend backend, int inputs, int classes, long seed) {
        return create(name, backend, inputs, classes, seed, null);
    }

    /**
     * @param dropout dropout rates overriding the model's own (the CNN's two: after the pooling and after
     *                the first dense layer; one value sets both; for the MLPs, one rate after each hidden
     *                layer), or null for the model's defaults
     */
    public static Module create(String name, Backend backend, int inputs, int classes, long seed, float[] dropout) {
        SplittableRandom random = new SplittableRandom(seed);
        return switch (name) {
            case "mlp" -> dropout == null ? mlp(backend, random, inputs, 512, 256, classes)
                    : mlp(backend, random, dropout[0], seed, inputs, 512, 256, classes);
            case "mlp-large" -> dropout == null ? mlp(backend, random, inputs, 4096, 4096, classes)
                    : mlp(backend, random, dropout[0], seed, inputs, 4096, 4096, classes);
            case "cnn" -> {
                if (inputs != 28 * 28) {
                    throw new IllegalArgumentException("model 'cnn' takes 28x28 images (784 features), got " + inputs);
                }
                float p1 = dropout == null ? 0.25f : dropout[0];
                float p2 = dropout == null ? 0.5f : dropout[dropout.length - 1];
                yield cnn(backend, random, classes, p1, p2, seed);
            }
            default -> throw new IllegalArgumentException("unknown model '" + name + "' (expected one of " + NAMES + ")");
        };
    }

    /**
     * The PyTorch MNIST example network (pytorch/examples mnist/main.py) on [N, 784] input:
     * view as [N, 1, 28, 28], conv 1->32 3x3 + ReLU, conv 32->64 3x3 + ReLU, max-pool 2x2, dropout p1,
     * flatten, dense 9216->128 + ReLU, dropout p2, dense 128->classes.
     */
    public static Sequential cnn(Backend backend, SplittableRandom random, int classes, float p1, float p2, long seed) {
        return new Sequential(
                new Reshape(1, 28, 28),
                new Conv2d(backend, 1, 32, 3, random), new ReLU(),
                new Conv2d(backend, 32, 64, 3, random), new ReLU(),
                new MaxPool2d(2),
                new Dropout(p1, seed * 31 + 1),
                new Flatten(),
                new Linear(backend, 9216, 128, random), new ReLU(),
                new Dropout(p2, seed * 31 + 2),
                new Linear(backend, 128, classes, random));
    }

    /** Dense layers with ReLU and then Dropout(p) after each hidden layer. */
    public static Sequential mlp(Backend backend, SplittableRandom random, float p, long seed, int... widths) {
        java.util.List<Module> layers = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < widths.length; i++) {
            layers.add(new Linear(backend, widths[i], widths[i + 1], random));
            if (i + 2 < widths.length) {
                layers.add(new ReLU());
                layers.add(new Dropout(p, seed * 31 + i));
            }
        }
        return new Sequential(layers.toArray(new Module[0]));
    }

    /**
     * The input transform a model was trained with, applied once to a whole dataset: the CNN takes
     * MNIST normalised as the PyTorch example does ((x - 0.1307) / 0.3081); the MLPs take pixels in [0, 1].
     */
    public static dev.myelin.data.Dataset prepareInputs(String name, dev.myelin.data.Dataset data) {
        return "cnn".equals(name) ? data.normalized(0.1307f, 0.3081f) : data;
    }

    /** Dense layers of the given widths with ReLU between them (none after the last). */
    public static Sequential mlp(Backend backend, SplittableRandom random, int... widths) {
        Module[] layers = new Module[2 * (widths.length - 1) - 1];
        for (int i = 0; i + 1 < widths.length; i++) {
            layers[2 * i] = new Linear(backend, widths[i], widths[i + 1], random);
            if (i + 2 < widths.length) {
                layers[2 * i + 1] = new ReLU();
            }
        }
        return new Sequential(layers);
    }
}
