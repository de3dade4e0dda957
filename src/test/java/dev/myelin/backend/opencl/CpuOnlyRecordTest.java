package dev.myelin.backend.opencl;

import dev.myelin.backend.Probe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CpuOnlyRecordTest {
    @TempDir
    Path dir;

    private Path vendors() throws IOException {
        return Files.createDirectories(dir.resolve("vendors"));
    }

    private Path dev() throws IOException {
        return Files.createDirectories(dir.resolve("dev"));
    }

    private String fingerprint(Map<String, String> env) throws IOException {
        return CpuOnlyRecord.fingerprint(env, vendors(), dev());
    }

    @Test
    void fingerprintIsStableWhileNothingChanges() throws IOException {
        Files.writeString(vendors().resolve("pocl.icd"), "libpocl.so.2.11.0\n");
        assertThat(fingerprint(Map.of("PATH", "/bin"))).isEqualTo(fingerprint(Map.of("PATH", "/usr/bin")))
                .hasSize(64);
    }

    @Test
    void aNewVendorFileChangesTheFingerprint() throws IOException {
        Files.writeString(vendors().resolve("pocl.icd"), "libpocl.so.2.11.0\n");
        String before = fingerprint(Map.of());
        Files.writeString(vendors().resolve("nvidia.icd"), "libnvidia-opencl.so.1\n");
        assertThat(fingerprint(Map.of())).isNotEqualTo(before);
    }

    @Test
    void aRewrittenVendorFileChangesTheFingerprint() throws IOException {
        Path icd = Files.writeString(vendors().resolve("pocl.icd"), "libpocl.so.2.11.0\n");
        FileTime time = Files.getLastModifiedTime(icd);
        String before = fingerprint(Map.of());
        // Same size and time, other contents: the contents alone must tell.
        Files.writeString(icd, "libpocl.so.2.12.0\n");
        Files.setLastModifiedTime(icd, time);
        assertThat(fingerprint(Map.of())).isNotEqualTo(before);
    }

    @Test
    void aGpuDeviceNodeChangesTheFingerprint() throws IOException {
        String before = fingerprint(Map.of());
        Files.createDirectories(dev().resolve("dri")).resolve("renderD128").toFile().createNewFile();
        String withDri = fingerprint(Map.of());
        assertThat(withDri).isNotEqualTo(before);
        Files.createFile(dev().resolve("nvidia0"));
        assertThat(fingerprint(Map.of())).isNotEqualTo(withDri);
    }

    @Test
    void theLoadersAndPoclsVariablesChangeTheFingerprint() throws IOException {
        String before = fingerprint(Map.of());
        assertThat(fingerprint(Map.of("POCL_DEVICES", "cuda"))).isNotEqualTo(before);
        assertThat(fingerprint(Map.of("OCL_ICD_FILENAMES", "/opt/rocm/lib/libamdocl64.so"))).isNotEqualTo(before);
    }

    @Test
    void aSavedRecordMatchesOnlyItsOwnFingerprint() throws IOException {
        Path store = dir.resolve("cache").resolve(CpuOnlyRecord.FILE_NAME);
        new CpuOnlyRecord(store, "aaaa").save("pthread-AMD EPYC");
        assertThat(new CpuOnlyRecord(store, "aaaa").cpuDevices()).isEqualTo("pthread-AMD EPYC");
        assertThat(new CpuOnlyRecord(store, "bbbb").cpuDevices()).isNull();
        new CpuOnlyRecord(store, "bbbb").remove();
        assertThat(store).doesNotExist();
        assertThat(new CpuOnlyRecord(store, "aaaa").cpuDevices()).isNull();
    }

    @Test
    void aDamagedOrUnwritableRecordOnlyMeansProbing() throws IOException {
        Path store = dir.resolve(CpuOnlyRecord.FILE_NAME);
        Files.write(store, new byte[] {'f', 'i', 'n', 'g', 'e', 'r', 'p', 'r', 'i', 'n', 't', '=', '\\', 'u', 'z', 'z'});
        assertThat(new CpuOnlyRecord(store, "aaaa").cpuDevices()).isNull();
        // The parent of this store is a file, so nothing can be written there; saving must not throw.
        CpuOnlyRecord blocked = new CpuOnlyRecord(store.resolve("x"), "aaaa");
        blocked.save("pthread");
        assertThat(blocked.cpuDevices()).isNull();
    }

    @Test
    void aFullProbeKeepsTheUserRecordInStep() throws IOException {
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        Probe probe = new OpenClBackendProvider().probe();
        CpuOnlyRecord record = CpuOnlyRecord.inUserCache();
        boolean cpuOnly = probe.available() && !probe.devices().isEmpty()
                && probe.devices().stream().allMatch(d -> d.type().equals("cpu"));
        if (cpuOnly) {
            Assumptions.assumeTrue(Files.isWritable(Files.createDirectories(record.store().getParent())),
                    () -> record.store().getParent() + " is not writable, so no record can be kept");
            assertThat(record.cpuDevices()).contains(probe.devices().get(0).name());
            // Written by this JVM's probe, not left over from an earlier run.
            assertThat(Files.getLastModifiedTime(record.store()).toMillis()).isGreaterThanOrEqualTo(jvmStart - 1000);
        } else {
            assertThat(record.cpuDevices()).isNull();
        }
        // Once this JVM has probed, auto takes the probe's word, not the record's.
        assertThat(new OpenClBackendProvider().passOverInAuto()).isNull();
    }
}
