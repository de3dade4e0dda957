package dev.myelin.nn;

import dev.myelin.backend.Activation;

public final class Sigmoid extends ActivationLayer {
    public Sigmoid() {
        super(Activation.SIGMOID);
    }
}
