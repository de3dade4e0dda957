package dev.myelin.backend;

/**
 * The counter-based random numbers every backend draws on the device (dropout masks): a pure function
 * of (seed, index), so CPU, OpenCL and CUDA produce bit-identical masks for the same seed, in any
 * order and on any number of threads. Two rounds of a 32-bit avalanche mix (Wellons' lowbias32) over
 * the index and the two halves of the seed; all integer arithmetic is modulo 2^32.
 *
 * <p>Kernels ({@code myelin_uniform} in {@code kernels/norm.cl}) spell out the same steps on {@code unsigned int}.
 */
public final class DeviceRandom {
    private DeviceRandom() {
    }

    static int mix(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    /** The raw 32-bit value for element {@code index} under {@code seed}. */
    public static int bits(long seed, int index) {
        int lo = (int) seed;
        int hi = (int) (seed >>> 32);
        int x = mix(lo ^ (index * 0x9E3779B9));
        return mix(x ^ hi);
    }

    /** A float uniform in [0, 1) with 24 random bits: exactly (bits >>> 8) * 2^-24 on every backend. */
    public static float uniform(long seed, int index) {
        return (bits(seed, index) >>> 8) * (1.0f / 16777216.0f);
    }
}
