package dev.myelin.nn;

import dev.myelin.backend.Activation;

public final class Tanh extends ActivationLayer {
    public Tanh() {
        super(Activation.TANH);
    }
}
