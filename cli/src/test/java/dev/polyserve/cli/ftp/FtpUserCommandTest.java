package dev.polyserve.cli.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.cli.Main;
import dev.polyserve.services.ftp.UsersFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code polyserve ftp-user add|passwd|remove|list}, run in-process with the password on standard input. */
class FtpUserCommandTest {
    @TempDir
    Path dir;

    /** Runs the command with {@code stdin}; returns the exit code, and what it printed goes to {@code out}/{@code err}. */
    private int run(String stdin, StringBuilder out, StringBuilder err, String... args) {
        InputStream in = System.in;
        PrintStream o = System.out;
        PrintStream e = System.err;
        ByteArrayOutputStream ob = new ByteArrayOutputStream();
        ByteArrayOutputStream eb = new ByteArrayOutputStream();
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        System.setOut(new PrintStream(ob, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(eb, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setIn(in);
            System.setOut(o);
            System.setErr(e);
            out.append(ob.toString(StandardCharsets.UTF_8));
            err.append(eb.toString(StandardCharsets.UTF_8));
        }
    }

    private int run(String stdin, String... args) {
        return run(stdin, new StringBuilder(), new StringBuilder(), args);
    }

    @Test
    void addPasswdRemoveAndList() throws Exception {
        Path users = dir.resolve("users");
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        assertThat(run("", out, err, "ftp-user", "list", "--users", users.toString())).isEqualTo(1);
        assertThat(err).contains("no users file " + users);

        assertThat(run("pw-1\n", "ftp-user", "add", "carol", "--home", "carol", "--write", "--users", users.toString(),
                "--password-stdin", "--iterations", "1000")).isZero();
        assertThat(run("pw-2\n", "ftp-user", "add", "dave", "--home", "dave", "--users", users.toString(),
                "--password-stdin", "--iterations", "1000")).isZero();
        String before = UsersFile.load(users).get("carol").orElseThrow().hash();

        assertThat(run("pw-new\n", "ftp-user", "passwd", "carol", "--users", users.toString(), "--password-stdin",
                "--iterations", "1000")).isZero();
        UsersFile.Entry carol = UsersFile.load(users).get("carol").orElseThrow();
        assertThat(carol.hash()).isNotEqualTo(before);
        assertThat(carol.canWrite()).isTrue();
        assertThat(carol.home()).isEqualTo("carol");
        assertThat(run("x\n", "ftp-user", "passwd", "nobody", "--users", users.toString(), "--password-stdin")).isEqualTo(1);

        assertThat(run("", "ftp-user", "remove", "dave", "--users", users.toString())).isZero();
        assertThat(run("", "ftp-user", "remove", "dave", "--users", users.toString())).isEqualTo(1);
        out.setLength(0);
        assertThat(run("", out, new StringBuilder(), "ftp-user", "list", "--users", users.toString())).isZero();
        assertThat(out.toString().lines()).singleElement().asString().startsWith("carol").contains("read-write").endsWith("carol");
        assertThat(Files.readString(users)).doesNotContain("pw-new");
    }

    @Test
    void theWholeFileSystemAsHomeNeedsAllowRootHome() throws Exception {
        Path users = dir.resolve("users");
        StringBuilder err = new StringBuilder();
        assertThat(run("pw\n", new StringBuilder(), err, "ftp-user", "add", "root", "--home", "/", "--users", users.toString(),
                "--password-stdin", "--iterations", "1000")).isEqualTo(2);
        assertThat(err).contains("--allow-root-home");
        assertThat(users).doesNotExist();
        assertThat(run("pw\n", "ftp-user", "add", "root", "--home", "/", "--allow-root-home", "--users", users.toString(),
                "--password-stdin", "--iterations", "1000")).isZero();
        assertThat(UsersFile.load(users).get("root").orElseThrow().home()).isEqualTo("/");
    }
}
