package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of FTP path resolution (issue #16): a client's path, and a sequence of CWDs before it,
 * never names anything outside the user's root, whatever the links inside it do. A plain test run replays
 * src/test/resources/.../UserFileSystemFuzzTestInputs; bench/fuzz.sh fuzzes it for real.
 */
class UserFileSystemFuzzTest {

    /** Most CWDs before the path under test: enough to climb a few levels. */
    private static final int MAX_CWDS = 4;

    private static Path base;
    private static Path root;

    @BeforeAll
    static void tree() throws IOException {
        // base/secret.txt and base/outdir lie outside; root holds ordinary names and links in, out and nowhere.
        base = Files.createTempDirectory("ufs-fuzz").toRealPath();
        Files.writeString(base.resolve("secret.txt"), "outside");
        Files.createDirectory(base.resolve("outdir"));
        root = Files.createDirectory(base.resolve("root"));
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("sub/file.txt"), "inside");
        Files.createSymbolicLink(root.resolve("in"), root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("sub/up"), Path.of(".."));
        Files.createSymbolicLink(root.resolve("out"), base.resolve("outdir"));
        Files.createSymbolicLink(root.resolve("sub/secret"), Path.of("../../secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), base.resolve("missing"));
    }

    @AfterAll
    static void clean() throws IOException {
        try (var walk = Files.walk(base)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @FuzzTest
    void noPathLeavesTheRoot(FuzzedDataProvider data) throws IOException {
        UserFileSystem fs = new UserFileSystem(root, true);
        int cwds = data.consumeInt(0, MAX_CWDS);
        for (int i = 0; i < cwds; i++) {
            try {
                UserFileSystem.Resolved dir = fs.resolve(data.consumeString(64));
                checkInside(dir);
                if (Files.isDirectory(dir.real())) fs.changeDirectory(dir);
            } catch (UserFileSystem.PathRefused refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
            assertThat(fs.cwd()).startsWith("/");
        }
        String path = data.consumeRemainingAsString();
        try {
            UserFileSystem.Resolved r = fs.resolve(path);
            checkInside(r);
            // Resolving is idempotent: the virtual name it gives resolves to the same place.
            assertThat(fs.resolve(r.virtual())).isEqualTo(r);
        } catch (UserFileSystem.PathRefused refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    private static void checkInside(UserFileSystem.Resolved r) throws IOException {
        assertThat(r.virtual()).startsWith("/").doesNotContain("//").doesNotContain("/../").doesNotEndWith("/..")
                .doesNotContain("/./").doesNotEndWith("/.");
        assertThat(r.real()).isEqualTo(r.real().normalize());
        assertThat(r.real()).startsWithRaw(root);
        if (Files.exists(r.real(), LinkOption.NOFOLLOW_LINKS) && Files.exists(r.real())) {
            assertThat(r.real().toRealPath()).startsWithRaw(root);
        }
    }
}
