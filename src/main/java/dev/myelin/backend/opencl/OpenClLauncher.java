package dev.myelin.backend.opencl;

import dev.myelin.backend.BackendException;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

import java.util.Map;

import static org.lwjgl.opencl.CL10.clEnqueueNDRangeKernel;

/**
 * Kernel launches on {@link OpenClBackend}'s one in-order queue: the cached kernels, the one whose
 * arguments are being set ({@link #begin}), and the NDRange shapes the ops use. Every op of the backend
 * and of its ops classes launches through here, from the one thread that drives the backend.
 */
final class OpenClLauncher {
    /** Work-group size of the 1-D element-wise kernels. */
    private static final int ELEMENT_GROUP = 256;
    /** Upper bound of the row-wise (one work-group per row) kernels; the kernels' local arrays hold 256. */
    private static final int ROW_GROUP = 128;

    private final long queue;
    private final OpenClDevice device;
    /** Emptied and retried once when a launch reports the device out of memory. */
    private final OpenClAllocator allocator;
    private final OpenClKernels kernels;
    private final int gemmTile;
    private OpenClKernels.Kernel current;
    private boolean closed;

    OpenClLauncher(long context, long queue, OpenClDevice device, OpenClAllocator allocator) {
        this.queue = queue;
        this.device = device;
        this.allocator = allocator;
        // A 16x16 tile needs 256 work-items per group; the few devices with smaller groups get 8x8.
        this.gemmTile = device.maxWorkGroup() >= 256 ? 16 : 8;
        this.kernels = new OpenClKernels(context, device, Map.of("gemm.cl", "-DGEMM_TILE=" + gemmTile));
    }

    /** Selects the kernel the next clSetKernelArg calls and launch go to. */
    long begin(String name) {
        if (closed) {
            throw new IllegalStateException("OpenCL backend is closed");
        }
        current = kernels.kernel(name);
        return current.handle();
    }

    void launch1d(int items) {
        int local = (int) Math.min(ELEMENT_GROUP, current.maxWorkGroup());
        long global = ((long) items + local - 1) / local * local;
        enqueue(1, global, 1, local, 1);
    }

    /** One work-group per row: local size a power of two, smaller for short rows. */
    void launchRows(int rows, int cols) {
        int local = cols <= 32 ? 32 : ROW_GROUP;
        while (local > current.maxWorkGroup() && local > 1) {
            local >>= 1;
        }
        enqueue(1, (long) rows * local, 1, local, 1);
    }

    private void enqueue(int dims, long global0, long global1, long local0, long local1) {
        enqueue(dims, global0, global1, 1, local0, local1);
    }

    /** An NDRange of up to 3 dimensions; the third one's local size is 1. */
    void enqueue(int dims, long global0, long global1, long global2, long local0, long local1) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer global = stack.mallocPointer(dims);
            PointerBuffer local = stack.mallocPointer(dims);
            global.put(0, global0);
            local.put(0, local0);
            if (dims >= 2) {
                global.put(1, global1);
                local.put(1, local1);
            }
            if (dims == 3) {
                global.put(2, global2);
                local.put(2, 1);
            }
            int status = clEnqueueNDRangeKernel(queue, current.handle(), dims, null, global, local, null, null);
            if (ClErrors.isOutOfMemory(status)) {
                // Drivers that allocate lazily report exhaustion here rather than in clCreateBuffer.
                allocator.emptyCache();
                status = clEnqueueNDRangeKernel(queue, current.handle(), dims, null, global, local, null, null);
                if (ClErrors.isOutOfMemory(status)) {
                    throw new BackendException("opencl: out of device memory running " + current.name() + " on "
                            + device.info().name() + ": " + ClErrors.name(status) + String.format(
                            " (device global memory %,d bytes, %,d bytes in use by Myelin)",
                            device.info().memoryBytes(), allocator.stats().bytesInUse()));
                }
            }
            ClErrors.check(status, "clEnqueueNDRangeKernel(" + current.name() + ")");
        }
    }

    /** Side of the square work-group of the gemm kernels (16, or 8 on devices with small work-groups). */
    int gemmTile() {
        return gemmTile;
    }

    /** Releases the kernels; a later {@link #begin} throws. */
    void close() {
        closed = true;
        kernels.close();
    }
}
