package dev.myelin.nn;

import dev.myelin.autograd.ConvOps;
import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * 2-D convolution over NCHW input, as torch.nn.Conv2d with a square kernel: weight [out, in, k, k],
 * bias [out]. Initialised like PyTorch's default (kaiming_uniform with a = sqrt(5)): weight and bias
 * uniform in +-1 / sqrt(in * k * k).
 */
public final class Conv2d extends Module {
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(Backend backend, int in, int out, int kernel, SplittableRandom random) {
        this(backend, in, out, kernel, 1, 0, true, random);
    }

    public Conv2d(Backend backend, int in, int out, int kernel, int stride, int padding, boolean withBias,
                  SplittableRandom random) {
        if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("Conv2d(" + in + " -> " + out + ", " + kernel + "x" + kernel + ", stride "
                    + stride + ", padding " + padding + "): channels, kernel and stride must be positive, padding >= 0");
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        int fanIn = in * kernel * kernel;
        double bound = 1 / Math.sqrt(fanIn);
        Tensor w = Tensor.owned(backend, Shape.of(out, in, kernel, kernel));
        Init.uniform(w, bound, random);
        this.weight = registerParameter("weight", w);
        if (withBias) {
            Tensor b = Tensor.owned(backend, Shape.of(out));
            Init.uniform(b, bound, random);
            this.bias = registerParameter("bias", b);
        } else {
            this.bias = null;
        }
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(input, Activation.IDENTITY);
    }

    /** The convolution followed by an activation, fused into the pass that writes the output. */
    public Tensor forward(Tensor input, Activation activation) {
        var s = input.shape();
        if (s.rank() != 4 || s.dim(1) != in) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " must be [N, " + in + ", H, W]");
        }
        if (s.dim(2) + 2 * padding < kernel || s.dim(3) + 2 * padding < kernel) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " is smaller than the kernel");
        }
        return ConvOps.conv2d(input, weight.data(), bias == null ? null : bias.data(), stride, padding, activation);
    }

    @Override
    public String toString() {
        return "Conv2d(" + in + " -> " + out + ", " + kernel + "x" + kernel
                + (stride != 1 ? ", stride " + stride : "") + (padding != 0 ? ", padding " + padding : "")
                + (bias == null ? ", no bias" : "") + ")";
    }
}
