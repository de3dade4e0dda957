package dev.myelin.data;

import java.util.Arrays;

/**
 * A dataset held in memory: {@code features} is {@code [count, featureSize]} row-major, {@code labels}
 * holds one class index per example (as a float, the way the loss kernels take it).
 */
public record Dataset(float[] features, float[] labels, int count, int featureSize, int classes) {
    public Dataset {
        if (count < 0 || featureSize <= 0 || classes <= 0) {
            throw new IllegalArgumentException(
                    "count " + count + ", featureSize " + featureSize + ", classes " + classes);
        }
        if ((long) count * featureSize != features.length || labels.length != count) {
            throw new IllegalArgumentException("features holds " + features.length + " and labels "
                    + labels.length + " values for " + count + " examples of " + featureSize);
        }
    }

    /** A copy of examples {@code [from, to)}, e.g. for {@code --limit}. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + count + " examples");
        }
        return new Dataset(
                Arrays.copyOfRange(features, from * featureSize, to * featureSize),
                Arrays.copyOfRange(labels, from, to),
                to - from, featureSize, classes);
    }

    /** A copy with every feature standardised: (x - mean) / std, as torchvision's Normalize does. */
    public Dataset normalized(float mean, float std) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("normalisation std must be positive, got " + std);
        }
        float[] scaled = new float[features.length];
        float inv = 1f / std;
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = (features[i] - mean) * inv;
        }
        return new Dataset(scaled, labels, count, featureSize, classes);
    }
}
