package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every usage error is one line on stderr, {@code polyserve: WHAT (see 'COMMAND --help')}, and exit code 2. */
class UsageErrorsTest {
    @TempDir
    Path dir;

    /** Runs {@code args} in-process; returns stderr after asserting exit 2, nothing on stdout. */
    private static String usageError(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertThat(code).as("exit code of %s; stderr: %s", String.join(" ", args), err).isEqualTo(Main.EXIT_USAGE);
        assertThat(out.toString()).as("stdout").isEmpty();
        String e = err.toString();
        assertThat(e.lines()).as("one line: " + e).hasSize(1);
        assertThat(e).startsWith("polyserve: ").doesNotContain("null").doesNotContain("Usage:");
        return e.strip();
    }

    @Test
    void unknownOptionNamesItAndTheHelp() {
        assertThat(usageError("serve", "echo", "--bogus"))
                .isEqualTo("polyserve: Unknown option: '--bogus' (see 'polyserve serve echo --help')");
    }

    @Test
    void badValueNamesTheOption() {
        assertThat(usageError("serve", "http", "--port", "abc")).contains("'--port'").contains("'abc'")
                .endsWith("(see 'polyserve serve http --help')");
        assertThat(usageError("serve", "chat", "--idle-timeout", "soon")).contains("--idle-timeout");
    }

    @Test
    void hostThatDoesNotResolve() {
        assertThat(usageError("serve", "echo", "--host", "nosuch.invalid", "--port", "0"))
                .isEqualTo("polyserve: cannot resolve host 'nosuch.invalid' (see 'polyserve serve echo --help')");
        assertThat(usageError("serve", "echo", "--udp", "--host", "nosuch.invalid", "--port", "0"))
                .contains("cannot resolve host 'nosuch.invalid'");
    }

    @Test
    void unknownLogLevelOrFormat() {
        assertThat(usageError("serve", "echo", "--log-level", "loud"))
                .contains("'--log-level'").contains("unknown log level 'loud'; use trace, debug, info, warn or error");
        assertThat(usageError("serve", "chat", "--log-format", "xml")).contains("'--log-format'").contains("TEXT, JSON");
    }

    @Test
    void unknownModel() {
        assertThat(usageError("serve", "echo", "--model", "nosuch", "--port", "0")).contains("unknown model 'nosuch'");
    }

    @Test
    void usersFileThatIsMissingOrMalformed() throws Exception {
        assertThat(usageError("serve", "ftp", "--root", dir.toString(), "--users", dir.resolve("none").toString(), "--port", "0"))
                .contains("--users " + dir.resolve("none")).contains("polyserve ftp-user add");
        Path bad = Files.writeString(dir.resolve("users"), "not a users line\n", StandardOpenOption.CREATE_NEW);
        assertThat(usageError("serve", "ftp", "--root", dir.toString(), "--users", bad.toString(), "--port", "0"))
                .contains("--users " + bad + ":1: expected NAME:r|rw:HASH:HOME");
    }

    @Test
    void clientsAndBenchmarksToo() {
        assertThat(usageError("bench", "echo", "--port", "7", "--connections", "0", "--quiet"))
                .contains("connections must be between 1 and").endsWith("(see 'polyserve bench echo --help')");
        assertThat(usageError("bench", "chat", "--port", "7", "--auth-key-file", dir.resolve("none").toString()))
                .contains(dir.resolve("none") + ": no such file or directory");
        assertThat(usageError("chat", "127.0.0.1", "7001", "--auth-key-file", dir.resolve("none").toString()))
                .isEqualTo("polyserve: --auth-key-file: " + dir.resolve("none") + ": no such file or directory (see 'polyserve chat --help')");
        assertThat(usageError("ftp")).contains("polyserve ftp HOST [PORT]");
        assertThat(usageError("chat", "127.0.0.1")).contains("Missing required parameter");
    }

    @Test
    void missingRequiredOption() {
        assertThat(usageError("serve", "ftp", "--anonymous")).contains("--root");
    }

    @Test
    void fileErrorsSayWhatIsWrongNotOnlyThePath() {
        // Tests run as root, which reads any file: the message is checked on the exception the JDK throws.
        assertThat(Main.describe(new AccessDeniedException("/etc/users"))).isEqualTo("/etc/users: permission denied");
        assertThat(Main.describe(new java.nio.file.NoSuchFileException("/k"))).isEqualTo("/k: no such file or directory");
    }

    @Test
    void versionNamesTheBuildAndTheJdk() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("--version")).isZero();
        assertThat(out.toString()).startsWith("polyserve " + Version.polyserve() + "\n")
                .contains("JDK " + Runtime.version());
        assertThat(Version.polyserve()).matches("\\d+\\.\\d+\\.\\d+.*").doesNotContain("${");
        StringWriter sub = new StringWriter();
        CommandLine again = Main.commandLine();
        again.setOut(new PrintWriter(sub, true));
        assertThat(again.execute("serve", "echo", "-V")).isZero();
        assertThat(sub.toString()).as("a subcommand's -V").isEqualTo(out.toString());
    }
}
