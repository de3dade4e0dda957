package dev.myelin.nn;

import dev.myelin.backend.Backend;

/** Batch norm over [N, C, H, W] input per channel, as torch.nn.BatchNorm2d (eps 1e-5, momentum 0.1 by default). */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(Backend backend, int features) {
        this(backend, features, 1e-5f, 0.1f);
    }

    public BatchNorm2d(Backend backend, int features, float eps, float momentum) {
        super(backend, features, eps, momentum, 4);
    }
}
