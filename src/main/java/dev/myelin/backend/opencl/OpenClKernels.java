package dev.myelin.backend.opencl;

import dev.myelin.backend.BackendException;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.lwjgl.opencl.CL10.*;

/**
 * Programs and kernels of one context. Each {@code kernels/*.cl} file is one program, built on first
 * use of any of its kernels (PoCL takes about a second per cold build, so building lazily keeps
 * start-up cheap); programs are cached by (device, source hash, build options) and kernel objects by
 * name, so a launch only sets arguments on a ready cl_kernel.
 *
 * <p>Not thread-safe: clSetKernelArg on a shared cl_kernel is fine only because one thread enqueues.
 */
final class OpenClKernels {
    /** A ready kernel and the largest work-group it can launch with on this device. */
    record Kernel(long handle, String name, long maxWorkGroup) {
    }

    private static final Map<String, String> FILE_OF = Map.ofEntries(
            Map.entry("gemm", "gemm.cl"),
            Map.entry("gemm_batched", "gemm.cl"),
            Map.entry("unary_op", "elementwise.cl"),
            Map.entry("binary_op", "elementwise.cl"),
            Map.entry("axpby", "elementwise.cl"),
            Map.entry("bias_activation", "elementwise.cl"),
            Map.entry("activation_backward", "elementwise.cl"),
            Map.entry("fill", "elementwise.cl"),
            Map.entry("unary_backward", "elementwise.cl"),
            Map.entry("reduce_rows", "reduce.cl"),
            Map.entry("reduce_cols", "reduce.cl"),
            Map.entry("argmax_rows", "reduce.cl"),
            Map.entry("softmax_rows", "softmax.cl"),
            Map.entry("softmax_xent", "softmax.cl"),
            Map.entry("softmax_xent_backward", "softmax.cl"),
            Map.entry("sgd_update", "optim.cl"),
            Map.entry("adam_update", "optim.cl"),
            Map.entry("adadelta_update", "optim.cl"),
            Map.entry("im2col", "conv.cl"),
            Map.entry("col2im", "conv.cl"),
            Map.entry("conv_output", "conv.cl"),
            Map.entry("conv_gather_dy", "conv.cl"),
            Map.entry("conv_bias_grad", "conv.cl"),
            Map.entry("max_pool2d", "conv.cl"),
            Map.entry("max_pool2d_backward", "conv.cl"),
            Map.entry("avg_pool2d", "conv.cl"),
            Map.entry("avg_pool2d_backward", "conv.cl"),
            Map.entry("dropout", "norm.cl"),
            Map.entry("batch_norm", "norm.cl"),
            Map.entry("batch_norm_backward", "norm.cl"),
            Map.entry("copy_strided", "sequence.cl"),
            Map.entry("causal_softmax", "sequence.cl"),
            Map.entry("softmax_backward", "sequence.cl"),
            Map.entry("layer_norm", "sequence.cl"),
            Map.entry("layer_norm_backward", "sequence.cl"),
            Map.entry("layer_norm_params_partial", "sequence.cl"),
            Map.entry("layer_norm_params_sum", "sequence.cl"),
            Map.entry("embedding", "sequence.cl"),
            Map.entry("embedding_backward", "sequence.cl"),
            Map.entry("lstm_cell", "recurrent.cl"),
            Map.entry("lstm_cell_backward", "recurrent.cl"),
            Map.entry("gru_cell", "recurrent.cl"),
            Map.entry("gru_cell_backward", "recurrent.cl"));

    private final long context;
    private final OpenClDevice device;
    private final Map<String, String> options;
    private final Map<String, Long> programs = new HashMap<>();
    private final Map<String, Kernel> kernels = new HashMap<>();

    /** @param options build options per file name (e.g. "-DGEMM_TILE=8"); files not named get none */
    OpenClKernels(long context, OpenClDevice device, Map<String, String> options) {
        this.context = context;
        this.device = device;
        this.options = Map.copyOf(options);
    }

    static java.util.Set<String> kernelNames() {
        return FILE_OF.keySet();
    }

    Kernel kernel(String name) {
        Kernel kernel = kernels.get(name);
        if (kernel == null) {
            kernel = create(name);
            kernels.put(name, kernel);
        }
        return kernel;
    }

    private Kernel create(String name) {
        String file = FILE_OF.get(name);
        if (file == null) {
            throw new IllegalArgumentException("no OpenCL kernel named " + name);
        }
        long program = program(file);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            long handle = clCreateKernel(program, name, status);
            ClErrors.check(status.get(0), "clCreateKernel(" + name + ") from kernels/" + file);
            PointerBuffer size = stack.callocPointer(1);
            ClErrors.check(clGetKernelWorkGroupInfo(handle, device.device(), CL_KERNEL_WORK_GROUP_SIZE, size, null),
                    "clGetKernelWorkGroupInfo(" + name + ")");
            return new Kernel(handle, name, size.get(0));
        }
    }

    private long program(String file) {
        String source = source(file);
        String opts = options.getOrDefault(file, "");
        // The device is implied by this instance's context; the key guards against stale sources and options.
        String key = file + '|' + sha256(source) + '|' + opts;
        Long cached = programs.get(key);
        if (cached != null) {
            return cached;
        }
        long program = build(file, source, opts);
        programs.put(key, program);
        return program;
    }

    private long build(String file, String source, String opts) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            long program = clCreateProgramWithSource(context, source, status);
            ClErrors.check(status.get(0), "clCreateProgramWithSource(kernels/" + file + ")");
            int built = clBuildProgram(program, device.device(), opts, null, 0);
            // The compiler (LLVM in PoCL) may install its signal handlers on first use.
            JvmSignalHandlers.restore();
            if (built != 0) {
                String log = buildLog(program);
                clReleaseProgram(program);
                throw new BackendException("opencl: building kernels/" + file + " for " + device.info().name()
                        + " failed: " + ClErrors.name(built) + " (" + built + ")"
                        + (opts.isEmpty() ? "" : " with options '" + opts + "'") + "\nbuild log:\n" + log);
            }
            return program;
        }
    }

    private String buildLog(long program) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (clGetProgramBuildInfo(program, device.device(), CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size) != 0) {
                return "(no build log)";
            }
            ByteBuffer bytes = org.lwjgl.system.MemoryUtil.memAlloc((int) size.get(0));
            try {
                clGetProgramBuildInfo(program, device.device(), CL_PROGRAM_BUILD_LOG, bytes, null);
                byte[] array = new byte[bytes.remaining()];
                bytes.get(array);
                return new String(array, StandardCharsets.UTF_8).replace("\0", "").strip();
            } finally {
                org.lwjgl.system.MemoryUtil.memFree(bytes);
            }
        }
    }

    static String source(String file) {
        String path = "/kernels/" + file;
        try (InputStream in = OpenClKernels.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new BackendException("opencl: kernel source " + path + " is not on the classpath (broken build?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackendException("opencl: cannot read kernel source " + path + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    void close() {
        for (Kernel kernel : kernels.values()) {
            clReleaseKernel(kernel.handle());
        }
        kernels.clear();
        for (long program : programs.values()) {
            clReleaseProgram(program);
        }
        programs.clear();
    }
}
