package dev.myelin.backend.opencl;

import dev.myelin.checkpoint.AtomicFiles;
import dev.myelin.checkpoint.UserCache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Remembers, across runs, that OpenCL offered only CPU devices here, so that {@code auto} can pass
 * OpenCL over without loading its drivers.
 *
 * <p>Why: {@code auto} never runs OpenCL on a CPU device, yet listing the devices loads every ICD, and
 * PoCL loads LLVM with it, on a 2-core machine where the start to the first training step is bound by
 * the CPU: eight alternating runs of {@code train --epochs 1} reached the first step at a median 1.33 s
 * probing and 1.12 s with this record.
 *
 * <p>The record holds a fingerprint of what decides OpenCL's devices: the ICD loader's variables and
 * PoCL's ({@code OCL_ICD_*}, {@code POCL_*}), the vendor files ({@code /etc/OpenCL/vendors}: name, size,
 * time, contents) and the GPU device nodes in {@code /dev}. Installing a GPU driver adds a vendor file
 * or a device node, so the fingerprint no longer matches and the next run probes for real. Any full
 * probe ({@code myelin info}, {@code --backend opencl}, or {@code auto} without a matching record)
 * rewrites or removes the record.
 *
 * <p>Best effort: a record that cannot be read or written only means probing.
 */
final class CpuOnlyRecord {
    static final String FILE_NAME = "opencl-cpu-only.properties";
    /** Bumped when the fingerprint's contents change, so that older records stop matching. */
    private static final String FORMAT = "1";

    private final Path store;
    private final String fingerprint;

    CpuOnlyRecord(Path store, String fingerprint) {
        this.store = store;
        this.fingerprint = fingerprint;
    }

    /** The record in the user's cache directory ({@code ~/.cache/myelin}, or under {@code $XDG_CACHE_HOME}). */
    static CpuOnlyRecord inUserCache() {
        Map<String, String> env = System.getenv();
        String vendors = env.get("OCL_ICD_VENDORS");
        Path vendorDir = vendors != null && Files.isDirectory(Path.of(vendors)) ? Path.of(vendors) : Path.of("/etc/OpenCL/vendors");
        return new CpuOnlyRecord(UserCache.dir().resolve(FILE_NAME), fingerprint(env, vendorDir, Path.of("/dev")));
    }

    /** The file the record lives in. */
    Path store() {
        return store;
    }

    /**
     * The CPU devices' names when the record matches this machine as it is now, else null (no record,
     * another fingerprint, or an unreadable file).
     */
    String cpuDevices() {
        if (!Files.isRegularFile(store)) {
            return null;
        }
        Properties saved = new Properties();
        try (InputStream in = Files.newInputStream(store)) {
            saved.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return fingerprint.equals(saved.getProperty("fingerprint")) ? saved.getProperty("devices") : null;
    }

    /** Records that OpenCL offers only these CPU devices here. */
    void save(String devices) {
        Properties p = new Properties();
        p.setProperty("fingerprint", fingerprint);
        p.setProperty("devices", devices);
        try {
            Files.createDirectories(store.getParent());
            AtomicFiles.write(store, out -> p.store(out, "Myelin: OpenCL offered only CPU devices on this machine"
                    + " (auto then skips probing it; delete this file or run `myelin info` to probe again)"));
        } catch (IOException | RuntimeException e) {
            // best effort: the next run probes again
        }
    }

    /** Forgets the record: OpenCL has a GPU now, or no devices at all. */
    void remove() {
        try {
            Files.deleteIfExists(store);
        } catch (IOException | RuntimeException e) {
            // best effort: a stale record stops matching once the fingerprint changes
        }
    }

    /**
     * SHA-256 over what decides which OpenCL devices exist: the ICD loader's and PoCL's environment
     * variables, each vendor file in {@code vendorDir} (name, size, time, contents), and the names of
     * GPU device nodes in {@code devDir} ({@code dri/*}, {@code nvidia*}, {@code kfd}).
     */
    static String fingerprint(Map<String, String> env, Path vendorDir, Path devDir) {
        StringBuilder key = new StringBuilder("format=").append(FORMAT).append('\n');
        new TreeMap<>(env).forEach((name, value) -> {
            if (name.startsWith("OCL_ICD_") || name.startsWith("POCL_") || name.equals("OPENCL_VENDOR_PATH")) {
                key.append("env ").append(name).append('=').append(value).append('\n');
            }
        });
        for (Path vendor : sorted(vendorDir, "*")) {
            key.append("vendor ").append(vendor.getFileName());
            try {
                BasicFileAttributes attributes = Files.readAttributes(vendor, BasicFileAttributes.class);
                key.append(' ').append(attributes.size()).append(' ').append(attributes.lastModifiedTime().toMillis())
                        .append(' ').append(attributes.isRegularFile() && attributes.size() < 4096
                                ? Files.readString(vendor, StandardCharsets.UTF_8).strip() : "");
            } catch (IOException | RuntimeException e) {
                key.append(" unreadable");
            }
            key.append('\n');
        }
        for (Path node : sorted(devDir.resolve("dri"), "*")) {
            key.append("dev dri/").append(node.getFileName()).append('\n');
        }
        for (Path node : sorted(devDir, "{nvidia*,kfd}")) {
            key.append("dev ").append(node.getFileName()).append('\n');
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static TreeSet<Path> sorted(Path dir, String glob) {
        TreeSet<Path> entries = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            stream.forEach(entries::add);
        } catch (IOException | RuntimeException e) {
            // an unlistable directory counts as empty
        }
        return entries;
    }
}
