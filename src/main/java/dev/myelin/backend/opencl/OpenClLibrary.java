package dev.myelin.backend.opencl;

import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;

/**
 * Loads the OpenCL ICD loader once per JVM. LWJGL would load it in {@code CL}'s static initialiser,
 * where a failure leaves the class unusable and throws a many-line {@link UnsatisfiedLinkError};
 * explicit init lets us retry with {@code libOpenCL.so.1} (present without the -dev package, which is
 * the only one that ships the unversioned {@code libOpenCL.so}) and keep a one-line reason.
 */
final class OpenClLibrary {
    private static boolean attempted;
    private static String failure;
    /** While set, LWJGL's diagnostics are dropped: a failed load is reported as our one-line reason instead. */
    private static volatile boolean muted;

    private OpenClLibrary() {
    }

    /** Null when libOpenCL is loaded, else the one-line reason it could not be. Never throws. */
    static synchronized String load() {
        if (attempted) {
            return failure;
        }
        attempted = true;
        // Before any OpenCL library is loaded: the dispositions that JvmSignalHandlers.restore() keeps.
        JvmSignalHandlers.recordOriginals();
        try {
            muteLwjglDiagnosticsWhileProbing();
            muted = true;
            Configuration.OPENCL_EXPLICIT_INIT.set(true);
            try {
                CL.create();
            } catch (Throwable first) {
                if (Configuration.OPENCL_LIBRARY_NAME.get() != null || !isLinux()) {
                    throw first;
                }
                try {
                    CL.create("libOpenCL.so.1");
                } catch (Throwable ignored) {
                    throw first;
                }
            }
        } catch (Throwable t) {
            // LinkageError (no libOpenCL, no LWJGL natives) or LWJGL's IllegalStateException.
            failure = "no OpenCL ICD loader: " + firstLine(t)
                    + " (install ocl-icd-libopencl1 and a driver, e.g. pocl-opencl-icd)";
        } finally {
            muted = false;
        }
        return failure;
    }

    /**
     * LWJGL prints a multi-line "[LWJGL] Failed to load a library. Possible solutions: ..." on every
     * machine without OpenCL, which {@code auto} probes on every start. Unless the user configured
     * LWJGL's debug stream, route it through a stream that forwards to stderr except while probing.
     * This only takes effect when LWJGL was not used before (its stream is fixed at first use).
     */
    private static void muteLwjglDiagnosticsWhileProbing() {
        if (Configuration.DEBUG_STREAM.get() != null) {
            return;
        }
        Configuration.DEBUG_STREAM.set(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                if (!muted) {
                    System.err.write(b);
                }
            }

            @Override
            public void write(byte[] bytes, int off, int len) {
                if (!muted) {
                    System.err.write(bytes, off, len);
                }
            }

            @Override
            public void flush() {
                System.err.flush();
            }
        }, true));
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    static String firstLine(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String line = message.strip().lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
