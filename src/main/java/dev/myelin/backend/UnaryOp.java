package dev.myelin.backend;

/** Element-wise functions y = f(x). */
public enum UnaryOp {
    IDENTITY, RELU, SIGMOID, TANH, EXP, LOG, NEG, ABS, SQUARE, SQRT,
    /** GELU with the tanh approximation, as torch.nn.GELU(approximate='tanh'). */
    GELU;

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

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
            case GELU -> (float) (0.5 * x * (1.0 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))));
        };
    }

    /** Reference derivative f'(x), taken at the input, for {@link Backend#unaryBackward}. */
    public float derivative(float x) {
        return switch (this) {
            case IDENTITY -> 1f;
            case RELU -> x > 0f ? 1f : 0f;
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield (float) (s * (1.0 - s));
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield (float) (1.0 - t * t);
            }
            case EXP -> (float) Math.exp(x);
            case LOG -> 1f / x;
            case NEG -> -1f;
            case ABS -> x > 0f ? 1f : x < 0f ? -1f : 0f;
            case SQUARE -> 2f * x;
            case SQRT -> (float) (0.5 / Math.sqrt(x));
            case GELU -> {
                double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                double t = Math.tanh(u);
                double du = SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x);
                yield (float) (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du);
            }
        };
    }
}
