package dev.myelin.nn;

import dev.myelin.autograd.ConvOps;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Inverted dropout, as torch.nn.Dropout: in training mode each element is zeroed with probability p and
 * the rest scaled by 1 / (1 - p); in eval mode it is the identity. The mask is drawn on the device
 * from a seed this layer takes from its own seeded generator at each call, so runs repeat exactly.
 */
public final class Dropout extends Module {
    private final float p;
    private final SplittableRandom seeds;

    public Dropout(float p) {
        this(p, 0x5EEDL);
    }

    public Dropout(float p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout(" + p + "): p must be in [0, 1)");
        }
        this.p = p;
        this.seeds = new SplittableRandom(seed);
    }

    public float p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (!isTraining() || p == 0f) {
            return input;
        }
        return ConvOps.dropout(input, p, seeds.nextLong());
    }

    @Override
    public String toString() {
        return "Dropout(" + p + ")";
    }
}
