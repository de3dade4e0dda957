package dev.myelin.backend;

/** Element-wise functions out = f(a, b). */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN;

    /** Reference definition. */
    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }
}
