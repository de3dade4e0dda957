package dev.myelin.nn;

import dev.myelin.backend.Activation;

public final class ReLU extends ActivationLayer {
    public ReLU() {
        super(Activation.RELU);
    }
}
