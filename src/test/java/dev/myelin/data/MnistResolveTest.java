package dev.myelin.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistResolveTest {
    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();
    private final List<Path> fetchedInto = new ArrayList<>();

    /** A fetcher whose one source writes four placeholder files and whose verifier accepts anything. */
    private MnistFetcher recordingFetcher() {
        MnistSource source = new MnistSource() {
            @Override
            public String describe() {
                return "fake";
            }

            @Override
            public void fetchInto(Path staging, Consumer<String> log) throws java.io.IOException {
                fetchedInto.add(staging);
                for (String name : Mnist.FILES) {
                    Files.writeString(staging.resolve(name), name);
                }
            }
        };
        return new MnistFetcher(List.of(source), (file, name) -> { });
    }

    private static Path withFiles(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String name : Mnist.FILES) {
            Files.writeString(dir.resolve(name + ".gz"), "x");
        }
        return dir;
    }

    private Path resolve(Path explicit, Map<String, String> env) {
        return Mnist.resolve(explicit, env, tmp.resolve("home"), recordingFetcher(), log::add);
    }

    @Test
    void explicitDirIsUsedAsIs() throws Exception {
        Path dir = withFiles(tmp.resolve("data"));
        Path env = withFiles(tmp.resolve("env"));
        assertThat(resolve(dir, Map.of(Mnist.ENV_DATA, env.toString()))).isEqualTo(dir);
        assertThat(fetchedInto).isEmpty();
    }

    @Test
    void explicitDirMayHoldAnMnistFolder() throws Exception {
        Path root = tmp.resolve("data");
        withFiles(root.resolve("mnist"));
        assertThat(resolve(root, Map.of())).isEqualTo(root.resolve("mnist"));
    }

    @Test
    void missingExplicitDirIsAnErrorNotADownload() {
        Path dir = tmp.resolve("no-such-dir");
        assertThatThrownBy(() -> resolve(dir, Map.of()))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("no-such-dir")
                .hasMessageContaining("no such directory");
        assertThat(fetchedInto).isEmpty();
    }

    @Test
    void explicitDirLackingFilesNamesThem() throws Exception {
        Path dir = tmp.resolve("partial");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train-images-idx3-ubyte"), "x");
        assertThatThrownBy(() -> resolve(dir, Map.of()))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("partial")
                .hasMessageContaining("missing train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte");
        assertThat(fetchedInto).isEmpty();
    }

    @Test
    void envDirIsUsedWhenNoExplicitDir() throws Exception {
        Path env = withFiles(tmp.resolve("env"));
        assertThat(resolve(null, Map.of(Mnist.ENV_DATA, env.toString()))).isEqualTo(env);
        assertThatThrownBy(() -> resolve(null, Map.of(Mnist.ENV_DATA, tmp.resolve("gone").toString())))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("MYELIN_DATA=")
                .hasMessageContaining("gone");
        assertThat(fetchedInto).isEmpty();
    }

    @Test
    void cacheDirFollowsXdgElseHome() {
        Path home = tmp.resolve("home");
        assertThat(Mnist.cacheDir(Map.of(), home)).isEqualTo(home.resolve(".cache/myelin/mnist"));
        assertThat(Mnist.cacheDir(Map.of("XDG_CACHE_HOME", tmp.resolve("xdg").toString()), home))
                .isEqualTo(tmp.resolve("xdg/myelin/mnist"));
        // The XDG spec says a relative value is to be ignored.
        assertThat(Mnist.cacheDir(Map.of("XDG_CACHE_HOME", "relative"), home)).isEqualTo(home.resolve(".cache/myelin/mnist"));
    }

    @Test
    void filledCacheIsUsedWithoutFetching() throws Exception {
        Path cache = withFiles(tmp.resolve("xdg/myelin/mnist"));
        assertThat(resolve(null, Map.of("XDG_CACHE_HOME", tmp.resolve("xdg").toString()))).isEqualTo(cache);
        assertThat(fetchedInto).isEmpty();
    }

    @Test
    void emptyCacheIsFetchedOnceAndStored() throws Exception {
        Path cache = resolve(null, Map.of());
        assertThat(cache).isEqualTo(tmp.resolve("home/.cache/myelin/mnist"));
        assertThat(fetchedInto).hasSize(1);
        for (String name : Mnist.FILES) {
            assertThat(cache.resolve(name)).hasContent(name);
        }
        try (var left = Files.list(cache)) {
            assertThat(left).hasSize(4); // the staging directory is gone
        }
        assertThat(log).anyMatch(line -> line.contains("fetching"));
        resolve(null, Map.of());
        assertThat(fetchedInto).hasSize(1);
    }
}
