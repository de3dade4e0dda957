/*
 * Fused optimizer updates with PyTorch semantics, one work-item per parameter.
 * Bias corrections are folded on the host into stepSize = lr / (1 - beta1^t) and
 * invSqrtCorrection2 = 1 / sqrt(1 - beta2^t), exactly as the CPU backend does.
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

/* torch.optim.SGD (dampening 0). velocity is ignored (may be any buffer) when momentum == 0. */
__kernel void sgd_update(__global float* param, __global const float* grad, __global float* velocity, const int n,
                         const float lr, const float momentum, const float weightDecay, const int nesterov)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        const float p = param[i];
        float g = grad[i] + weightDecay * p;
        if (momentum != 0.0f) {
            const float v = momentum * velocity[i] + g;
            velocity[i] = v;
            g = nesterov ? g + momentum * v : v;
        }
        param[i] = p - lr * g;
    }
}

/* torch.optim.Adam, or AdamW when decoupled != 0. */
__kernel void adam_update(__global float* param, __global const float* grad, __global float* m, __global float* v,
                          const int n, const float lr, const float beta1, const float beta2, const float eps,
                          const float weightDecay, const int decoupled, const float stepSize,
                          const float invSqrtCorrection2)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        float p = param[i];
        float g = grad[i];
        if (decoupled) {
            p -= lr * weightDecay * p;
        } else {
            g += weightDecay * p;
        }
        const float mi = beta1 * m[i] + (1.0f - beta1) * g;
        const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] = p - stepSize * mi / (sqrt(vi) * invSqrtCorrection2 + eps);
    }
}

/* torch.optim.Adadelta: running averages of squared gradients and squared updates. */
__kernel void adadelta_update(__global float* param, __global const float* grad, __global float* squareAvg,
                              __global float* accDelta, const int n, const float lr, const float rho,
                              const float eps, const float weightDecay)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        const float p = param[i];
        const float g = grad[i] + weightDecay * p;
        const float s = rho * squareAvg[i] + (1.0f - rho) * g * g;
        squareAvg[i] = s;
        const float delta = sqrt(accDelta[i] + eps) / sqrt(s + eps) * g;
        accDelta[i] = rho * accDelta[i] + (1.0f - rho) * delta * delta;
        param[i] = p - lr * delta;
    }
}
