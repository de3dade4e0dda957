package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;
import jcuda.driver.CUresult;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CUresult codes as names, the one check every call site uses, and one-line native load errors. */
final class CudaErrors {
    private static final Pattern MISSING_LIBRARY = Pattern.compile("([\\w.+-]+\\.so[.\\d]*): cannot open shared object file");

    private CudaErrors() {
    }

    /** "CUDA_ERROR_OUT_OF_MEMORY", or "CUresult 999" for a code this JCuda does not know. */
    static String name(int result) {
        String name = CUresult.stringFor(result);
        return name == null || name.startsWith("INVALID CUresult") ? "CUresult " + result : name;
    }

    /** Throws a {@link BackendException} naming {@code what} when {@code result} is not CUDA_SUCCESS. */
    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new BackendException("cuda: " + what + " failed: " + name(result));
        }
    }

    /** Like {@link #check}, for the sync points where an earlier asynchronous kernel fault surfaces. */
    static void checkSync(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new BackendException("cuda: " + what + " failed: " + name(result)
                    + " (may come from any op enqueued since the last wait; CUDA_LAUNCH_BLOCKING=1 pins it down)");
        }
    }

    /**
     * The library a failed native load could not find ("libcuda.so.1"), or null. JCuda's
     * UnsatisfiedLinkError is ~30 lines with nested stack traces; the missing library is the useful part.
     */
    static String missingLibrary(Throwable t) {
        String message = t.getMessage();
        if (message == null) {
            return null;
        }
        Matcher m = MISSING_LIBRARY.matcher(message);
        return m.find() ? m.group(1) : null;
    }

    /** The first line of a throwable's message, at most 200 characters, never empty. */
    static String firstLine(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String line = message.strip().lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** "12.4" for the 12040 that cuDriverGetVersion reports. */
    static String cudaVersion(int version) {
        return version / 1000 + "." + (version % 1000) / 10;
    }
}
