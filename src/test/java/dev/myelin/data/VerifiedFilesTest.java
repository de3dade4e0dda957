package dev.myelin.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifiedFilesTest {
    private static final String SUM = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7";
    private static final String OTHER_SUM = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2";

    @TempDir
    Path tmp;

    private static String stamp(Path file) {
        return VerifiedFiles.stamp(file, SUM);
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }

    @Test
    void rememberedAcrossInstancesOnceSaved() throws Exception {
        Path data = file("data", "abc");
        Path store = tmp.resolve("cache/myelin/" + VerifiedFiles.FILE_NAME);
        VerifiedFiles first = VerifiedFiles.at(store);
        assertThat(first.contains(data, stamp(data))).isFalse();
        first.add(data, stamp(data));
        assertThat(first.contains(data, stamp(data))).isTrue();
        assertThat(VerifiedFiles.at(store).contains(data, stamp(data))).as("not saved yet").isFalse();
        first.save();
        assertThat(store).isRegularFile();
        VerifiedFiles second = VerifiedFiles.at(store);
        assertThat(second.contains(data, stamp(data))).isTrue();
        assertThat(second.contains(data, VerifiedFiles.stamp(data, OTHER_SUM))).as("checked against another sum").isFalse();
        assertThat(second.contains(tmp.resolve("elsewhere"), stamp(tmp.resolve("elsewhere")))).isFalse();
    }

    @Test
    void savingDropsFilesThatAreGone() throws Exception {
        Path kept = file("kept", "abc");
        Path gone = file("gone", "abc");
        Path store = tmp.resolve(VerifiedFiles.FILE_NAME);
        VerifiedFiles verified = VerifiedFiles.at(store);
        verified.add(kept, stamp(kept));
        verified.add(gone, stamp(gone));
        Files.delete(gone);
        verified.save();
        assertThat(Files.readString(store)).contains("kept").doesNotContain("gone");
        assertThat(VerifiedFiles.at(store).contains(kept, stamp(kept))).isTrue();
    }

    @Test
    void aChangedFileIsNoLongerVerified() throws Exception {
        Path store = tmp.resolve(VerifiedFiles.FILE_NAME);
        Path resized = file("resized", "abc");
        Path touched = file("touched", "abc");
        Files.setLastModifiedTime(touched, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        VerifiedFiles verified = VerifiedFiles.at(store);
        verified.add(resized, stamp(resized));
        verified.add(touched, stamp(touched));
        verified.save();

        Files.writeString(resized, "abcd");
        Files.setLastModifiedTime(touched, FileTime.from(Instant.parse("2021-01-01T00:00:00Z")));
        VerifiedFiles reloaded = VerifiedFiles.at(store);
        assertThat(reloaded.contains(resized, stamp(resized))).isFalse();
        assertThat(reloaded.contains(touched, stamp(touched))).isFalse();
    }

    @Test
    void aDamagedOrUnwritableStoreOnlyMeansHashingAgain() throws Exception {
        Path data = file("data", "abc");
        Path damaged = Files.write(tmp.resolve("damaged.properties"), new byte[] {'a', '=', '\\', 'u', '1'});
        assertThat(VerifiedFiles.at(damaged).contains(data, stamp(data))).isFalse();

        // The store's folder cannot be made: a plain file stands where it should be.
        Path blocker = file("blocker", "not a folder");
        VerifiedFiles unwritable = VerifiedFiles.at(blocker.resolve(VerifiedFiles.FILE_NAME));
        unwritable.add(data, stamp(data));
        assertThatCode(unwritable::save).doesNotThrowAnyException();
        assertThat(unwritable.contains(data, stamp(data))).isTrue();
    }
}
