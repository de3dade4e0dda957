package dev.myelin.backend.cpu;

import dev.myelin.backend.Activation;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;

/**
 * Element-wise loops over array ranges. Each loop is a simple counted loop with the op chosen
 * outside it, so C2 can unroll and auto-vectorise it (superword) without the Vector API.
 */
final class ElementKernels {
    private ElementKernels() {
    }

    static void unary(UnaryOp op, float[] x, float[] y, int from, int to) {
        switch (op) {
            case IDENTITY -> {
                if (x != y) {
                    System.arraycopy(x, from, y, from, to - from);
                }
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.max(x[i], 0f);
                }
            }
            case NEG -> {
                for (int i = from; i < to; i++) {
                    y[i] = -x[i];
                }
            }
            case ABS -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.abs(x[i]);
                }
            }
            case SQUARE -> {
                for (int i = from; i < to; i++) {
                    y[i] = x[i] * x[i];
                }
            }
            case SQRT -> {
                for (int i = from; i < to; i++) {
                    y[i] = (float) Math.sqrt(x[i]);
                }
            }
            case GELU -> {
                if (VectorSupport.available()) {
                    VectorSequenceKernels.gelu(x, y, from, to);
                } else {
                    for (int i = from; i < to; i++) {
                        y[i] = gelu(x[i]);
                    }
                }
            }
            default -> {
                for (int i = from; i < to; i++) {
                    y[i] = op.apply(x[i]);
                }
            }
        }
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_CUBIC = 0.044715f;

    /** GELU (tanh form) with tanh through the exp intrinsic: Math.tanh is not one and costs several times more. */
    static float gelu(float x) {
        float u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
        float t = 1f - 2f / ((float) Math.exp(2f * u) + 1f);
        return 0.5f * x * (1f + t);
    }

    static float geluDerivative(float x) {
        float u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
        float t = 1f - 2f / ((float) Math.exp(2f * u) + 1f);
        float du = SQRT_2_OVER_PI * (1f + 3f * GELU_CUBIC * x * x);
        return 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * du;
    }

    /** dx = dy * op'(x). */
    static void unaryBackward(UnaryOp op, float[] x, float[] dy, float[] dx, int from, int to) {
        switch (op) {
            case GELU -> {
                if (VectorSupport.available()) {
                    VectorSequenceKernels.geluBackward(x, dy, dx, from, to);
                } else {
                    for (int i = from; i < to; i++) {
                        dx[i] = dy[i] * geluDerivative(x[i]);
                    }
                }
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    dx[i] = x[i] > 0f ? dy[i] : 0f;
                }
            }
            default -> {
                for (int i = from; i < to; i++) {
                    dx[i] = dy[i] * op.derivative(x[i]);
                }
            }
        }
    }

    static void binary(BinaryOp op, float[] a, float[] b, float[] out, int rowFrom, int rowTo, int cols, Broadcast broadcast) {
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * cols;
            switch (broadcast) {
                case NONE -> binaryRow(op, a, base, b, base, out, cols);
                case ROW -> binaryRow(op, a, base, b, 0, out, cols);
                case COLUMN -> binaryScalar(op, a, base, b[r], out, cols);
                case SCALAR -> binaryScalar(op, a, base, b[0], out, cols);
            }
        }
    }

    private static void binaryRow(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int n) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) {
                    out[aOff + i] = a[aOff + i] + b[bOff + i];
                }
            }
            case SUB -> {
                for (int i = 0; i < n; i++) {
                    out[aOff + i] = a[aOff + i] - b[bOff + i];
                }
            }
            case MUL -> {
                for (int i = 0; i < n; i++) {
                    out[aOff + i] = a[aOff + i] * b[bOff + i];
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[aOff + i] = op.apply(a[aOff + i], b[bOff + i]);
                }
            }
        }
    }

    private static void binaryScalar(BinaryOp op, float[] a, int aOff, float b, float[] out, int n) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) {
                    out[aOff + i] = a[aOff + i] + b;
                }
            }
            case MUL -> {
                for (int i = 0; i < n; i++) {
                    out[aOff + i] = a[aOff + i] * b;
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[aOff + i] = op.apply(a[aOff + i], b);
                }
            }
        }
    }

    static void axpby(float alpha, float[] x, float beta, float[] y, int from, int to) {
        if (beta == 0f) {
            for (int i = from; i < to; i++) {
                y[i] = alpha * x[i];
            }
        } else if (beta == 1f) {
            for (int i = from; i < to; i++) {
                y[i] += alpha * x[i];
            }
        } else {
            for (int i = from; i < to; i++) {
                y[i] = alpha * x[i] + beta * y[i];
            }
        }
    }

    static void biasActivation(float[] x, float[] bias, Activation act, float[] y, int rowFrom, int rowTo, int cols) {
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * cols;
            if (bias != null) {
                for (int c = 0; c < cols; c++) {
                    y[base + c] = x[base + c] + bias[c];
                }
                unary(act.forward(), y, y, base, base + cols);
            } else {
                unary(act.forward(), x, y, base, base + cols);
            }
        }
    }

    static void activationBackward(Activation act, float[] y, float[] dy, float[] dx, int from, int to) {
        switch (act) {
            case IDENTITY -> {
                if (dy != dx) {
                    System.arraycopy(dy, from, dx, from, to - from);
                }
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    dx[i] = y[i] > 0f ? dy[i] : 0f;
                }
            }
            case SIGMOID -> {
                for (int i = from; i < to; i++) {
                    dx[i] = dy[i] * y[i] * (1f - y[i]);
                }
            }
            case TANH -> {
                for (int i = from; i < to; i++) {
                    dx[i] = dy[i] * (1f - y[i] * y[i]);
                }
            }
        }
    }

    static float reduceRow(ReduceOp op, float[] x, int offset, int n) {
        switch (op) {
            case MAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, x[offset + i]);
                }
                return max;
            }
            case SUM, MEAN -> {
                // Pairwise-free but double accumulation: a 60,000-element mean stays exact to float precision.
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += x[offset + i];
                }
                return (float) (op == ReduceOp.MEAN ? sum / n : sum);
            }
        }
        throw new AssertionError(op);
    }

    static void reduceColumns(ReduceOp op, float[] x, float[] out, int rows, int cols, int colFrom, int colTo) {
        float init = op == ReduceOp.MAX ? Float.NEGATIVE_INFINITY : 0f;
        for (int c = colFrom; c < colTo; c++) {
            out[c] = init;
        }
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            if (op == ReduceOp.MAX) {
                for (int c = colFrom; c < colTo; c++) {
                    out[c] = Math.max(out[c], x[base + c]);
                }
            } else {
                for (int c = colFrom; c < colTo; c++) {
                    out[c] += x[base + c];
                }
            }
        }
        if (op == ReduceOp.MEAN) {
            for (int c = colFrom; c < colTo; c++) {
                out[c] /= rows;
            }
        }
    }

    /**
     * Writes softmax of x[offset, offset + n) to y and returns log(sum(exp(x))), the log-partition the
     * cross-entropy needs.
     */
    static float softmaxRow(float[] x, float[] y, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            y[offset + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            y[offset + i] *= inv;
        }
        return max + (float) Math.log(sum);
    }
}
