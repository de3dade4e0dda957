package dev.myelin.backend.cuda;

import jcuda.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

/** {@link HostMemory} from cuMemAllocHost: page-locked, so cuMemcpy*Async on it really is asynchronous. */
final class PinnedHostMemory implements HostMemory<PinnedHostMemory.Block> {
    /** The driver's pointer and a direct buffer over the same bytes, in native order for float views. */
    record Block(Pointer pointer, ByteBuffer bytes) {
    }

    @Override
    public Block allocate(long bytes) {
        Pointer pointer = new Pointer();
        CudaErrors.check(cuMemAllocHost(pointer, bytes), "cuMemAllocHost(" + bytes + " bytes)");
        return new Block(pointer, pointer.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()));
    }

    @Override
    public void free(Block block) {
        cuMemFreeHost(block.pointer());
    }
}
