package dev.myelin.backend.opencl;

import dev.myelin.backend.Activation;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;

/**
 * The int selectors the kernels switch on, spelled out rather than taken from ordinal(), so that
 * reordering a Java enum cannot silently change what a kernel computes. They must match the
 * #defines in kernels/elementwise.cl and kernels/reduce.cl (U_*, B_*, BC_*, R_*). Public because the
 * CUDA backend launches the same kernel sources and passes the same codes.
 */
public final class KernelCodes {
    private KernelCodes() {
    }

    public static int of(UnaryOp op) {
        return switch (op) {
            case IDENTITY -> 0;
            case RELU -> 1;
            case SIGMOID -> 2;
            case TANH -> 3;
            case EXP -> 4;
            case LOG -> 5;
            case NEG -> 6;
            case ABS -> 7;
            case SQUARE -> 8;
            case SQRT -> 9;
            case GELU -> 10;
        };
    }

    /** Activations share the unary codes of their forward function. */
    public static int of(Activation act) {
        return of(act.forward());
    }

    public static int of(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case MAX -> 4;
            case MIN -> 5;
        };
    }

    public static int of(Broadcast broadcast) {
        return switch (broadcast) {
            case NONE -> 0;
            case ROW -> 1;
            case COLUMN -> 2;
            case SCALAR -> 3;
        };
    }

    public static int of(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case MEAN -> 1;
            case MAX -> 2;
        };
    }
}
