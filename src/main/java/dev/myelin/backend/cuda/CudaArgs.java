package dev.myelin.backend.cuda;

import dev.myelin.backend.Buffer;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUstream;

import java.util.ArrayList;
import java.util.List;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

/**
 * One kernel launch of {@link CudaBackend} being put together: the arguments in order, each a pointer to
 * its value as cuLaunchKernel wants them, and their signature, checked against the kernel's before the
 * launch. Made by {@link CudaBackend#args()}; chains read {@code args().p(x).i(n)...launch(K, dims)}.
 */
final class CudaArgs {
    private final CudaBackend backend;
    private final CudaModule module;
    private final CUstream stream;
    private final List<NativePointerObject> values = new ArrayList<>(14);
    private final StringBuilder signature = new StringBuilder(14);

    CudaArgs(CudaBackend backend, CudaModule module, CUstream stream) {
        this.backend = backend;
        this.module = module;
        this.stream = stream;
    }

    CudaArgs i(int v) {
        values.add(Pointer.to(new int[]{v}));
        signature.append('i');
        return this;
    }

    CudaArgs f(float v) {
        values.add(Pointer.to(new float[]{v}));
        signature.append('f');
        return this;
    }

    CudaArgs p(Buffer b) {
        values.add(Pointer.to(backend.ptr(b)));
        signature.append('p');
        return this;
    }

    void launch(CudaKernel kernel, LaunchConfig c) {
        // cuLaunchKernel cannot check arguments: a wrong one is garbage or a fault on the GPU.
        if (!kernel.signature().contentEquals(signature)) {
            throw new IllegalStateException("arguments (" + signature + ") do not match " + kernel.entry()
                    + "'s parameters (" + kernel.signature() + ")");
        }
        backend.bind();
        CudaErrors.check(cuLaunchKernel(module.function(kernel), c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), 1,
                        0, stream, Pointer.to(values.toArray(new NativePointerObject[0])), null),
                "cuLaunchKernel(" + kernel.entry() + ", grid " + c.gridX() + "x" + c.gridY() + "x" + c.gridZ()
                        + ", block " + c.blockX() + "x" + c.blockY() + ")");
    }
}
