package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

import java.util.Arrays;

/**
 * Views each sample with the given shape, keeping the batch dimension: [N, 784] with Reshape(1, 28, 28)
 * gives [N, 1, 28, 28]. Free (no copy), like torch.nn.Unflatten on dimension 1.
 */
public final class Reshape extends Module {
    private final int[] sampleShape;
    private final int sampleSize;

    public Reshape(int... sampleShape) {
        int size = 1;
        for (int d : sampleShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("Reshape" + Arrays.toString(sampleShape) + ": dimensions must be positive");
            }
            size *= d;
        }
        this.sampleShape = sampleShape.clone();
        this.sampleSize = size;
    }

    @Override
    public Tensor forward(Tensor input) {
        int n = input.shape().rank() == 0 ? 1 : input.dim(0);
        if (input.shape().rank() == 0 || (long) n * sampleSize != input.size()) {
            throw new IllegalArgumentException(this + ": input of shape " + input.shape() + " does not hold samples of "
                    + sampleSize + " values");
        }
        int[] dims = new int[sampleShape.length + 1];
        dims[0] = n;
        System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
        return input.reshape(dims);
    }

    @Override
    public String toString() {
        return "Reshape" + Arrays.toString(sampleShape);
    }
}
