package dev.myelin.backend;

/** Reductions along one axis of an [rows, cols] operand. */
public enum ReduceOp {
    SUM, MEAN, MAX
}
