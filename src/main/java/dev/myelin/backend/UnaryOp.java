package dev.myelin.backend;

/** Element-wise functions y = f(x). */
public enum UnaryOp {
    IDENTITY, RELU, SIGMOID, TANH, EXP, LOG, NEG, ABS, SQUARE, SQRT;

    /** Reference definition: every backend must agree with this within the conformance tolerance. */
    public float apply(float x) {
        return switch (this) {
            case IDENTITY -> x;
            case RELU -> x > 0f ? x : 0f;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SQUARE -> x * x;
            case SQRT -> (float) Math.sqrt(x);
        };
    }
}
