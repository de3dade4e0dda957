package dev.myelin.backend.cpu;

/**
 * Whether the JVM was started with {@code --add-modules jdk.incubator.vector}. Classes that touch the
 * Vector API are loaded only when it was; otherwise they would fail with NoClassDefFoundError.
 */
public final class VectorSupport {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("myelin.vector.disable");
    private static volatile boolean warned;

    private VectorSupport() {
    }

    public static boolean available() {
        return AVAILABLE;
    }

    /** "Vector API 512-bit" or "scalar (no Vector API)". */
    public static String description() {
        return AVAILABLE ? "Vector API " + VectorWidth.bits() + "-bit" : "scalar (no Vector API)";
    }

    /** The one-line warning shown once when the CPU backend runs without the Vector API. */
    public static void warnOnceIfMissing() {
        if (!AVAILABLE && !warned) {
            warned = true;
            System.err.println("warning: Vector API not enabled; the CPU backend runs scalar code "
                    + "(start Java with --add-modules jdk.incubator.vector for full speed)");
        }
    }

    /** Isolated so that the Vector API classes load only after the check above. */
    private static final class VectorWidth {
        static int bits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
