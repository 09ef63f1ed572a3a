package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A UTF-8 name under a C locale, where the JVM encodes file names in ASCII: found while fuzzing path resolution
 * (issue #16), it threw InvalidPathException out of {@link UserFileSystem#resolve} and ended the session with no
 * reply. The locale is fixed at JVM start, so the check runs in a child JVM with {@code LC_ALL=C}.
 */
class UserFileSystemLocaleTest {

    /** How long the child JVM may take on a loaded machine. */
    private static final long CHILD_DEADLINE_SECONDS = 120;

    @TempDir
    Path root;

    @Test
    void aNameTheLocaleCannotEncodeIsRefusedNotThrown() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), root.toString());
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("LANG", "C");
        pb.redirectErrorStream(true);
        Process child = pb.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(CHILD_DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("encoding ANSI_X3.4-1968")
                .contains("refused: name not representable in the file system's encoding")
                .contains("ascii resolved: /plain.txt");
        assertThat(child.exitValue()).as(out).isZero();
    }

    /** Runs in the C-locale JVM: resolves a UTF-8 name and an ASCII one, and says what happened. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            System.out.println("encoding " + System.getProperty("sun.jnu.encoding"));
            UserFileSystem fs = new UserFileSystem(Path.of(args[0]), true);
            try {
                System.out.println("resolved: " + fs.resolve("caf\u00e9.txt").virtual());
            } catch (UserFileSystem.PathRefused e) {
                System.out.println("refused: " + e.getMessage());
            }
            try {
                System.out.println("ascii resolved: " + fs.resolve("plain.txt").virtual());
            } catch (UserFileSystem.PathRefused e) {
                System.out.println("ascii refused: " + e.getMessage());
            }
        }
    }
}
