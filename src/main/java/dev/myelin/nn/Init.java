package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/** Weight initialisations. Values are drawn on the host from a seeded generator, then uploaded. */
public final class Init {
    private Init() {
    }

    /** He (Kaiming) uniform for ReLU layers: U(-sqrt(6 / fanIn), sqrt(6 / fanIn)). */
    public static void heUniform(Tensor t, int fanIn, SplittableRandom random) {
        uniform(t, Math.sqrt(6.0 / fanIn), random);
    }

    /** Xavier (Glorot) uniform for sigmoid/tanh layers: U(-sqrt(6 / (fanIn + fanOut)), ...). */
    public static void xavierUniform(Tensor t, int fanIn, int fanOut, SplittableRandom random) {
        uniform(t, Math.sqrt(6.0 / (fanIn + fanOut)), random);
    }

    /** U(-bound, bound). */
    public static void uniform(Tensor t, double bound, SplittableRandom random) {
        float[] values = new float[t.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        t.backend().upload(values, 0, t.buffer(), 0, values.length);
    }

    /** N(mean, std^2), as torch.nn.init.normal_ (torch.nn.Embedding's default is N(0, 1)). */
    public static void normal(Tensor t, double mean, double std, SplittableRandom random) {
        float[] values = new float[t.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (mean + std * random.nextGaussian());
        }
        t.backend().upload(values, 0, t.buffer(), 0, values.length);
    }

    /**
     * torch.nn.Linear's own initialisation, for networks mirrored from PyTorch: weight and bias both
     * U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with a = sqrt(5) comes to that bound).
     */
    public static void torchLinear(Linear linear, SplittableRandom random) {
        double bound = 1 / Math.sqrt(linear.inFeatures());
        uniform(linear.weight().data(), bound, random);
        if (linear.bias() != null) {
            uniform(linear.bias().data(), bound, random);
        }
    }

    public static void ones(Tensor t) {
        t.backend().fill(t.buffer(), 0, t.size(), 1f);
    }

    public static void zeros(Tensor t) {
        t.backend().fill(t.buffer(), 0, t.size(), 0f);
    }
}
