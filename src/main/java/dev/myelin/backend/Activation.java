package dev.myelin.backend;

/**
 * Activations whose derivative can be written in terms of their own output y, so a backward pass
 * needs only the saved output: ReLU (y > 0), sigmoid (y(1-y)), tanh (1-y^2).
 */
public enum Activation {
    IDENTITY(UnaryOp.IDENTITY), RELU(UnaryOp.RELU), SIGMOID(UnaryOp.SIGMOID), TANH(UnaryOp.TANH);

    private final UnaryOp forward;

    Activation(UnaryOp forward) {
        this.forward = forward;
    }

    public UnaryOp forward() {
        return forward;
    }

    /** Reference derivative dy/dx, given the output y. */
    public float derivativeFromOutput(float y) {
        return switch (this) {
            case IDENTITY -> 1f;
            case RELU -> y > 0f ? 1f : 0f;
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
        };
    }
}
