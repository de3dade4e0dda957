/*
 * Element-wise kernels: one work-item per element, 1-D, launched on a global size rounded up to the
 * local size, so every kernel checks its bound. Op selectors are ints matching the Java enums
 * (see OpenClCodes): switching on a kernel argument costs one uniform branch per element, far less
 * than the memory traffic, and keeps one compiled kernel per family.
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

/* UnaryOp codes; Activation uses the same codes for its forward function (IDENTITY..TANH). */
#define U_IDENTITY 0
#define U_RELU     1
#define U_SIGMOID  2
#define U_TANH     3
#define U_EXP      4
#define U_LOG      5
#define U_NEG      6
#define U_ABS      7
#define U_SQUARE   8
#define U_SQRT     9
#define U_GELU     10

/* GELU's tanh approximation (torch.nn.GELU(approximate='tanh')): sqrt(2 / pi) and the cubic's weight. */
#define GELU_SQRT_2_OVER_PI 0.7978845608028654f
#define GELU_CUBIC          0.044715f

/* BinaryOp codes. */
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_MAX 4
#define B_MIN 5

/* Broadcast codes: how b is laid out for an [rows, cols] operand a. */
#define BC_NONE   0
#define BC_ROW    1
#define BC_COLUMN 2
#define BC_SCALAR 3

MYELIN_FN float myelin_unary(const int op, const float x)
{
    switch (op) {
        case U_IDENTITY: return x;
        case U_RELU:     return x > 0.0f ? x : 0.0f;
        case U_SIGMOID:  return 1.0f / (1.0f + exp(-x));
        case U_TANH:     return tanh(x);
        case U_EXP:      return exp(x);
        case U_LOG:      return log(x);
        case U_NEG:      return -x;
        case U_ABS:      return fabs(x);
        case U_SQUARE:   return x * x;
        case U_SQRT:     return sqrt(x);
        case U_GELU:     return 0.5f * x * (1.0f + tanh(GELU_SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)));
        default:         return NAN;
    }
}

/* op'(x), taken at the input, as UnaryOp.derivative. */
MYELIN_FN float myelin_unary_derivative(const int op, const float x)
{
    switch (op) {
        case U_IDENTITY: return 1.0f;
        case U_RELU:     return x > 0.0f ? 1.0f : 0.0f;
        case U_SIGMOID: {
            const float s = 1.0f / (1.0f + exp(-x));
            return s * (1.0f - s);
        }
        case U_TANH: {
            const float t = tanh(x);
            return 1.0f - t * t;
        }
        case U_EXP:      return exp(x);
        case U_LOG:      return 1.0f / x;
        case U_NEG:      return -1.0f;
        case U_ABS:      return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
        case U_SQUARE:   return 2.0f * x;
        case U_SQRT:     return 0.5f / sqrt(x);
        case U_GELU: {
            const float t = tanh(GELU_SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x));
            const float du = GELU_SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_CUBIC * x * x);
            return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
        }
        default:         return NAN;
    }
}

MYELIN_FN float myelin_binary(const int op, const float a, const float b)
{
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_MAX: return fmax(a, b);
        case B_MIN: return fmin(a, b);
        default:    return NAN;
    }
}

/* y[i] = op(x[i]); y may be x. */
__kernel void unary_op(const int op, __global const float* x, __global float* y, const int n)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        y[i] = myelin_unary(op, x[i]);
    }
}

/* dx[i] = dy[i] * op'(x[i]); dx may be dy. */
__kernel void unary_backward(const int op, __global const float* x, __global const float* dy, __global float* dx,
                             const int n)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        dx[i] = dy[i] * myelin_unary_derivative(op, x[i]);
    }
}

/* out = a (op) b over [rows, cols]; out may be a. */
__kernel void binary_op(const int op, __global const float* a, __global const float* b, __global float* out,
                        const int rows, const int cols, const int broadcast)
{
    const int i = (int) get_global_id(0);
    if (i < rows * cols) {
        int bi;
        switch (broadcast) {
            case BC_ROW:    bi = i % cols; break;
            case BC_COLUMN: bi = i / cols; break;
            case BC_SCALAR: bi = 0; break;
            default:        bi = i; break;
        }
        out[i] = myelin_binary(op, a[i], b[bi]);
    }
}

/* y = alpha * x + beta * y; beta == 0 never reads y (it may hold NaN). */
__kernel void axpby(const float alpha, __global const float* x, const float beta, __global float* y, const int n)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        y[i] = beta == 0.0f ? alpha * x[i] : alpha * x[i] + beta * y[i];
    }
}

/* y = act(x + bias) over [rows, cols]; bias is [cols], ignored when hasBias == 0. y may be x. */
__kernel void bias_activation(__global const float* x, __global const float* bias, const int hasBias,
                              const int act, __global float* y, const int rows, const int cols)
{
    const int i = (int) get_global_id(0);
    if (i < rows * cols) {
        const float v = hasBias ? x[i] + bias[i % cols] : x[i];
        y[i] = myelin_unary(act, v);
    }
}

/* dx = dy * act'(x), written through the saved output y. dx may be dy. */
__kernel void activation_backward(const int act, __global const float* y, __global const float* dy,
                                  __global float* dx, const int n)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        const float yi = y[i];
        float d;
        switch (act) {
            case U_RELU:    d = yi > 0.0f ? 1.0f : 0.0f; break;
            case U_SIGMOID: d = yi * (1.0f - yi); break;
            case U_TANH:    d = 1.0f - yi * yi; break;
            default:        d = 1.0f; break;
        }
        dx[i] = act == U_RELU ? (yi > 0.0f ? dy[i] : 0.0f) : dy[i] * d;
    }
}

/* dst[offset + i] = value for i < n. */
__kernel void fill(__global float* dst, const int offset, const int n, const float value)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        dst[offset + i] = value;
    }
}
