package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.nn.Linear;
import dev.myelin.nn.Module;
import dev.myelin.nn.ReLU;
import dev.myelin.nn.Sequential;

import java.util.List;
import java.util.SplittableRandom;

/** The named networks the command line trains. */
public final class Models {
    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("mlp", "mlp-large");

    private Models() {
    }

    /**
     * @param inputs  features per sample (784 for MNIST)
     * @param classes number of classes
     */
    public static Module create(String name, Backend backend, int inputs, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return switch (name) {
            case "mlp" -> mlp(backend, random, inputs, 512, 256, classes);
            case "mlp-large" -> mlp(backend, random, inputs, 4096, 4096, classes);
            default -> throw new IllegalArgumentException("unknown model '" + name + "' (expected one of " + NAMES + ")");
        };
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
