package dev.myelin.backend.opencl;

import org.lwjgl.system.JNI;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.system.Platform;
import org.lwjgl.system.Pointer;
import org.lwjgl.system.linux.DynamicLinkLoader;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts back the JVM's signal handlers after an OpenCL driver replaced them.
 *
 * <p>PoCL loads LLVM while it enumerates its devices, and LLVM installs its crash handlers for
 * SIGSEGV, SIGBUS, SIGILL, SIGUSR2 and the termination signals; PoCL adds its own for SIGFPE. HotSpot
 * relies on those signals in normal running: a safepoint stops every Java thread by making its poll
 * fault with SIGSEGV, an implicit null check is a SIGSEGV, SIGUSR2 suspends threads. LLVM's handler
 * is one-shot (SA_RESETHAND): the first fault runs it and it reinstalls the JVM's handlers, but a
 * second thread faulting in between meets the default action and the process dies with no error
 * report. Measured here: after the OpenCL probe of {@code backend auto}, 3 of 8 runs of a two-thread
 * {@code bench gemm} died of SIGSEGV at their first safepoint. {@code -Xcheck:jni} names the culprit
 * ("SIGSEGV handler modified ... in libLLVM-15.so.1").
 *
 * <p>The JDK's own remedy, preloading libjsig, has to be done by whoever starts the JVM. Instead,
 * the dispositions of every signal are recorded before the first OpenCL library is loaded, and
 * {@link #restore()} reinstalls any that a driver call changed. Losing LLVM's handlers costs only
 * its crash backtraces; losing PoCL's SIGFPE handler means an integer division by zero inside a
 * kernel stops the JVM (with a report) instead of being skipped, and Myelin's kernels divide only by
 * sizes, which are positive. LLVM registers its handlers once per process, so once restored they
 * stay restored.
 *
 * <p>64-bit Linux only (the layout of struct sigaction below is glibc's and musl's there); elsewhere
 * every method does nothing.
 */
final class JvmSignalHandlers {
    /**
     * struct sigaction of glibc and musl on 64-bit Linux: the handler (8 bytes), sa_mask (a 128-byte
     * sigset_t), sa_flags (int), then sa_restorer: 152 bytes. Allocated with room to spare.
     */
    private static final int SIGACTION_BYTES = 256;
    private static final int HANDLER_OFFSET = 0;
    private static final int MASK_OFFSET = 8;
    private static final int FLAGS_OFFSET = 136;
    private static final int SA_RESTORER = 0x04000000;
    /** Standard signals are 1..31; 9 (SIGKILL) and 19 (SIGSTOP) cannot be handled. */
    private static final int LAST_STANDARD_SIGNAL = 31;
    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;

    /** libc's sigaction, or 0 where this is not supported. */
    private static final long SIGACTION = sigactionAddress();
    /** The dispositions when this class was initialised, indexed by signal number; 0 where not recorded. */
    private static final long[] ORIGINAL = record();

    private JvmSignalHandlers() {
    }

    /**
     * Records the current dispositions, if not done yet. Call before the first OpenCL library is
     * loaded: what is recorded is what {@link #restore()} goes back to.
     */
    static void recordOriginals() {
        // The recording is done by class initialisation; this call only triggers it.
    }

    /** Reinstalls every recorded disposition that has changed since it was recorded. */
    static synchronized void restore() {
        for (int signal : changedSignals()) {
            JNI.invokePPI(signal, ORIGINAL[signal], MemoryUtil.NULL, SIGACTION);
        }
    }

    /** The handler now installed for a signal (0 for the default action, 1 for ignore); 0 where unsupported. */
    static long currentHandler(int signal) {
        if (SIGACTION == 0) {
            return 0;
        }
        long action = MemoryUtil.nmemCalloc(1, SIGACTION_BYTES);
        try {
            return read(signal, action) ? MemoryUtil.memGetLong(action + HANDLER_OFFSET) : 0;
        } finally {
            MemoryUtil.nmemFree(action);
        }
    }

    /** The signals whose disposition differs from the recorded one. */
    static synchronized List<Integer> changedSignals() {
        List<Integer> changed = new ArrayList<>();
        if (SIGACTION == 0) {
            return changed;
        }
        long current = MemoryUtil.nmemCalloc(1, SIGACTION_BYTES);
        try {
            for (int signal = 1; signal <= LAST_STANDARD_SIGNAL; signal++) {
                if (ORIGINAL[signal] != 0 && read(signal, current) && !sameAction(current, ORIGINAL[signal])) {
                    changed.add(signal);
                }
            }
        } finally {
            MemoryUtil.nmemFree(current);
        }
        return changed;
    }

    /** Reads a signal's disposition into the struct sigaction at {@code action}; false if sigaction fails. */
    private static boolean read(int signal, long action) {
        MemoryUtil.memSet(action, 0, SIGACTION_BYTES);
        return JNI.invokePPI(signal, MemoryUtil.NULL, action, SIGACTION) == 0;
    }

    /**
     * Whether two struct sigaction hold the same handler, flags and mask of standard signals. Only
     * those fields, and the flags without SA_RESTORER, which glibc adds to every action it installs (a
     * default action read back after being set again has it). glibc copies the kernel's 8-byte mask
     * into a 128-byte sigset_t and fills the rest from its own stack, so the whole struct differs from
     * call to call.
     */
    private static boolean sameAction(long a, long b) {
        return MemoryUtil.memGetLong(a + HANDLER_OFFSET) == MemoryUtil.memGetLong(b + HANDLER_OFFSET)
                && MemoryUtil.memGetLong(a + MASK_OFFSET) == MemoryUtil.memGetLong(b + MASK_OFFSET)
                && (MemoryUtil.memGetInt(a + FLAGS_OFFSET) & ~SA_RESTORER) == (MemoryUtil.memGetInt(b + FLAGS_OFFSET) & ~SA_RESTORER);
    }

    private static long sigactionAddress() {
        if (Platform.get() != Platform.LINUX || Pointer.POINTER_SIZE != 8) {
            return 0;
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            // RTLD_DEFAULT (a null handle, which the checked dlsym refuses): the sigaction the JVM itself uses.
            return DynamicLinkLoader.ndlsym(MemoryUtil.NULL, MemoryUtil.memAddress(stack.ASCII("sigaction")));
        } catch (Throwable t) {
            return 0;
        }
    }

    private static long[] record() {
        long[] original = new long[LAST_STANDARD_SIGNAL + 1];
        if (SIGACTION == 0) {
            return original;
        }
        for (int signal = 1; signal <= LAST_STANDARD_SIGNAL; signal++) {
            if (signal == SIGKILL || signal == SIGSTOP) {
                continue;
            }
            // Held for the life of the JVM: 29 blocks of 256 bytes.
            long action = MemoryUtil.nmemCalloc(1, SIGACTION_BYTES);
            if (read(signal, action)) {
                original[signal] = action;
            } else {
                MemoryUtil.nmemFree(action);
            }
        }
        return original;
    }
}
