package dev.myelin.backend.opencl;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.Probe;
import dev.myelin.backend.UnaryOp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.lwjgl.system.JNI;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.system.Platform;
import org.lwjgl.system.linux.DynamicLinkLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PoCL loads LLVM, which replaces the JVM's fault handlers; a JVM left that way dies at a safepoint
 * reached by two threads at once (see {@link JvmSignalHandlers}). These run on whatever OpenCL
 * driver is installed: PoCL in CI, where the handlers are replaced and must be put back.
 */
class JvmSignalHandlersTest {
    private static final int SIGILL = 4;
    private static final int SIGBUS = 7;
    private static final int SIGFPE = 8;
    private static final int SIGSEGV = 11;
    private static final int SIGUSR2 = 12;

    @Test
    void theJvmStillHandlesItsSignalsAfterAnOpenClDeviceHasBuiltAndRunAKernel() {
        Assumptions.assumeTrue(Platform.get() == Platform.LINUX, "signal dispositions are only kept on Linux");
        OpenClBackendProvider provider = new OpenClBackendProvider();
        Probe probe = provider.probe();
        Assumptions.assumeTrue(probe.available(), () -> "opencl unavailable: " + probe.reason());
        try (Backend backend = provider.open(false)) {
            Buffer x = backend.allocate(16);
            Buffer y = backend.allocate(16);
            backend.upload(new float[16], 0, x, 0, 16);
            backend.unary(UnaryOp.EXP, x, y, 16);
            float[] out = new float[16];
            backend.download(y, 0, out, 0, 16);
            assertThat(out).containsOnly(1f);
        }

        assertThat(JvmSignalHandlers.changedSignals()).as("signals whose handler a driver changed").isEmpty();
        for (int signal : new int[] {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGUSR2}) {
            assertThat(libraryOf(JvmSignalHandlers.currentHandler(signal)))
                    .as("library holding the handler of signal %d", signal)
                    .endsWith("/libjvm.so");
        }
    }

    /** The shared object containing a code address, from dladdr. */
    private static String libraryOf(long address) {
        assertThat(address).as("handler address").isGreaterThan(1L);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            long dladdr = DynamicLinkLoader.ndlsym(MemoryUtil.NULL, MemoryUtil.memAddress(stack.ASCII("dladdr")));
            assertThat(dladdr).as("dladdr").isNotZero();
            // Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr.
            long info = stack.ncalloc(8, 4, 8);
            assertThat(JNI.invokePPI(address, info, dladdr)).as("dladdr's result").isNotZero();
            return MemoryUtil.memUTF8(MemoryUtil.memGetAddress(info));
        }
    }
}
