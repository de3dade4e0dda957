package dev.myelin.nn;

import dev.myelin.backend.Backend;

/** Batch norm over [N, C] input, as torch.nn.BatchNorm1d (eps 1e-5, momentum 0.1 by default). */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(Backend backend, int features) {
        this(backend, features, 1e-5f, 0.1f);
    }

    public BatchNorm1d(Backend backend, int features, float eps, float momentum) {
        super(backend, features, eps, momentum, 2);
    }
}
