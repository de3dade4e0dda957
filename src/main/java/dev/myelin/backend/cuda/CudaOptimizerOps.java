package dev.myelin.backend.cuda;

import dev.myelin.backend.AdamBiasCorrection;
import dev.myelin.backend.SgdVelocity;
import dev.myelin.backend.Buffer;

/**
 * The optimizer updates of {@link CudaBackend}: the shared kernels/optim.cl with the launch shapes the
 * OpenCL backend uses for them. Kept apart so that the backend's own file stays about memory, streams
 * and the element-wise op set.
 */
final class CudaOptimizerOps {
    private final CudaBackend backend;

    CudaOptimizerOps(CudaBackend backend) {
        this.backend = backend;
    }

    private CudaArgs args() {
        return backend.args();
    }

    void sgdUpdate(Buffer param, Buffer grad, Buffer velocity, int n,
                   float lr, float momentum, float weightDecay, boolean nesterov) {
        SgdVelocity.require(momentum, velocity);
        if (n == 0) {
            return;
        }
        // Without momentum the kernel never touches velocity; param stands in for a missing one.
        args().p(param).p(grad).p(velocity == null ? param : velocity).i(n).f(lr).f(momentum).f(weightDecay)
                .i(nesterov ? 1 : 0).launch(CudaKernel.SGD_UPDATE, LaunchDims.elementwise(n));
    }

    void adamUpdate(Buffer param, Buffer grad, Buffer m, Buffer v, int n,
                    float lr, float beta1, float beta2, float eps, float weightDecay,
                    boolean decoupledWeightDecay, int step) {
        if (n == 0) {
            return;
        }
        AdamBiasCorrection correction = AdamBiasCorrection.at(step, lr, beta1, beta2);
        args().p(param).p(grad).p(m).p(v).i(n).f(lr).f(beta1).f(beta2).f(eps).f(weightDecay)
                .i(decoupledWeightDecay ? 1 : 0).f(correction.stepSize()).f(correction.invSqrtCorrection2())
                .launch(CudaKernel.ADAM_UPDATE, LaunchDims.elementwise(n));
    }

    void adadeltaUpdate(Buffer param, Buffer grad, Buffer squareAvg, Buffer accDelta, int n,
                        float lr, float rho, float eps, float weightDecay) {
        if (n == 0) {
            return;
        }
        args().p(param).p(grad).p(squareAvg).p(accDelta).i(n).f(lr).f(rho).f(eps).f(weightDecay)
                .launch(CudaKernel.ADADELTA_UPDATE, LaunchDims.elementwise(n));
    }
}
