package dev.myelin.backend;

/** The argument rule every backend's {@link Backend#sgdUpdate} shares: momentum needs a velocity buffer. */
public final class SgdVelocity {
    private SgdVelocity() {
    }

    /** Throws when momentum is on and there is no velocity buffer to keep it in. */
    public static void require(float momentum, Buffer velocity) {
        if (momentum != 0f && velocity == null) {
            throw new IllegalArgumentException("sgdUpdate with momentum needs a velocity buffer");
        }
    }
}
