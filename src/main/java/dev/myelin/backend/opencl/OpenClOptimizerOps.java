package dev.myelin.backend.opencl;

import dev.myelin.backend.AdamBiasCorrection;
import dev.myelin.backend.SgdVelocity;
import dev.myelin.backend.Buffer;

import static dev.myelin.backend.opencl.OpenClBackend.mem;
import static org.lwjgl.opencl.CL10.clSetKernelArg1f;
import static org.lwjgl.opencl.CL10.clSetKernelArg1i;
import static org.lwjgl.opencl.CL10.clSetKernelArg1p;

/**
 * The optimizer updates of {@link OpenClBackend} (kernels/optim.cl), kept apart so that the backend's
 * own file stays about memory, queues and the element-wise op set. Launches go through the backend's
 * {@link OpenClLauncher}, on its one in-order queue.
 */
final class OpenClOptimizerOps {
    private final OpenClLauncher launcher;

    OpenClOptimizerOps(OpenClLauncher launcher) {
        this.launcher = launcher;
    }

    void sgdUpdate(Buffer param, Buffer grad, Buffer velocity, int n,
                   float lr, float momentum, float weightDecay, boolean nesterov) {
        SgdVelocity.require(momentum, velocity);
        if (n == 0) {
            return;
        }
        long k = launcher.begin("sgd_update");
        long p = mem(param);
        clSetKernelArg1p(k, 0, p);
        clSetKernelArg1p(k, 1, mem(grad));
        // Without momentum the kernel never touches velocity; param stands in for a missing one.
        clSetKernelArg1p(k, 2, velocity == null ? p : mem(velocity));
        clSetKernelArg1i(k, 3, n);
        clSetKernelArg1f(k, 4, lr);
        clSetKernelArg1f(k, 5, momentum);
        clSetKernelArg1f(k, 6, weightDecay);
        clSetKernelArg1i(k, 7, nesterov ? 1 : 0);
        launcher.launch1d(n);
    }

    void adamUpdate(Buffer param, Buffer grad, Buffer m, Buffer v, int n,
                    float lr, float beta1, float beta2, float eps, float weightDecay,
                    boolean decoupledWeightDecay, int step) {
        if (n == 0) {
            return;
        }
        AdamBiasCorrection correction = AdamBiasCorrection.at(step, lr, beta1, beta2);
        long k = launcher.begin("adam_update");
        clSetKernelArg1p(k, 0, mem(param));
        clSetKernelArg1p(k, 1, mem(grad));
        clSetKernelArg1p(k, 2, mem(m));
        clSetKernelArg1p(k, 3, mem(v));
        clSetKernelArg1i(k, 4, n);
        clSetKernelArg1f(k, 5, lr);
        clSetKernelArg1f(k, 6, beta1);
        clSetKernelArg1f(k, 7, beta2);
        clSetKernelArg1f(k, 8, eps);
        clSetKernelArg1f(k, 9, weightDecay);
        clSetKernelArg1i(k, 10, decoupledWeightDecay ? 1 : 0);
        clSetKernelArg1f(k, 11, correction.stepSize());
        clSetKernelArg1f(k, 12, correction.invSqrtCorrection2());
        launcher.launch1d(n);
    }

    void adadeltaUpdate(Buffer param, Buffer grad, Buffer squareAvg, Buffer accDelta, int n,
                        float lr, float rho, float eps, float weightDecay) {
        if (n == 0) {
            return;
        }
        long k = launcher.begin("adadelta_update");
        clSetKernelArg1p(k, 0, mem(param));
        clSetKernelArg1p(k, 1, mem(grad));
        clSetKernelArg1p(k, 2, mem(squareAvg));
        clSetKernelArg1p(k, 3, mem(accDelta));
        clSetKernelArg1i(k, 4, n);
        clSetKernelArg1f(k, 5, lr);
        clSetKernelArg1f(k, 6, rho);
        clSetKernelArg1f(k, 7, eps);
        clSetKernelArg1f(k, 8, weightDecay);
        launcher.launch1d(n);
    }
}
