package dev.myelin.data;

/** Whole-dataset transforms, done once on the host before training (never per step). */
public final class Transforms {
    private Transforms() {
    }

    /** A copy with every feature mapped to (x - mean) / std, as torchvision's Normalize((mean,), (std,)). */
    public static Dataset normalize(Dataset data, float mean, float std) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("normalisation std must be positive, got " + std);
        }
        float[] in = data.features();
        float[] out = new float[in.length];
        float inv = 1f / std;
        for (int i = 0; i < in.length; i++) {
            out[i] = (in[i] - mean) * inv;
        }
        return new Dataset(out, data.labels(), data.count(), data.featureSize(), data.classes());
    }
}
