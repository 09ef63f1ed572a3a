package dev.polyserve.cli.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Server;
import dev.polyserve.core.tls.TestTls;
import dev.polyserve.services.ftp.Authenticator;
import dev.polyserve.services.ftp.FtpConfig;
import dev.polyserve.services.ftp.FtpServer;
import dev.polyserve.services.ftp.FtpTls;
import dev.polyserve.services.ftp.PasswordHash;
import dev.polyserve.services.ftp.PortRange;
import dev.polyserve.services.ftp.UsersFile;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code polyserve ftp --tls} against a polyserve FTPS server that requires TLS and session reuse: one login, several
 * data connections, each resuming the control session; the trust options and their refusals.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class FtpsClientCommandTest {
    @TempDir
    Path dir;
    Path root;
    Path ca;
    FtpServer server;
    FtpConfig cfg;
    String base;

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        TestTls.CERT.writeTo(dir.resolve("cert"));
        ca = dir.resolve("cert/cert.pem");
        UsersFile users = UsersFile.load(dir.resolve("users"));
        users.put(new UsersFile.Entry("alice", true, PasswordHash.create("pw".toCharArray(), PasswordHash.MIN_ITERATIONS), "."));
        int first;
        try (ServerSocket s = new ServerSocket(0)) {
            first = Math.min(s.getLocalPort(), 65_000);
        }
        cfg = FtpConfig.defaults(Authenticator.users(users, root).orElse(Authenticator.anonymous(root)))
                .withPassivePorts(new PortRange(first, first + 20))
                .withLoginFailures(Duration.ofMillis(10), 100, Duration.ofMinutes(1));
        server = FtpServer.start(Server.tcp(0).host("127.0.0.1").model("nio"), cfg, s -> s,
                FtpTls.of(TestTls.server(), true, true), FtpServer.NO_IMPLICIT_PORT);
        base = "ftp://alice:pw@localhost:" + server.localAddress().getPort() + "/";
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    private static int run(String... args) {
        return new CommandLine(new FtpCommand()).execute(args);
    }

    @Test
    void getPutAndLsOverFtpsResumeTheControlSession() throws IOException {
        byte[] data = new byte[1_500_000];
        new Random(11).nextBytes(data);
        Path local = Files.write(dir.resolve("up.bin"), data);
        assertThat(run("--tls", "--ca", ca.toString(), "put", "-q", local.toString(), base)).isZero();
        assertThat(Files.readAllBytes(root.resolve("up.bin"))).isEqualTo(data);
        Path got = dir.resolve("got.bin");
        assertThat(run("--tls", "--ca", ca.toString(), "get", "-q", base + "up.bin", "-o", got.toString())).isZero();
        assertThat(Files.readAllBytes(got)).isEqualTo(data);
        assertThat(run("--tls", "--ca", ca.toString(), "ls", base)).isZero();
    }

    @Test
    void theInteractiveShellMovesSeveralFilesOnOneLogin() throws IOException {
        Files.writeString(root.resolve("a.txt"), "first\n");
        Path upload = Files.writeString(dir.resolve("b.txt"), "second\n");
        String script = String.join("\n", "pw", "list", "put " + upload + " b.txt", "get a.txt " + dir.resolve("a1.txt"),
                "get b.txt " + dir.resolve("b1.txt"), "list", "quit") + "\n";
        FtpCommand cmd = new FtpCommand();
        new CommandLine(cmd).parseArgs("--tls", "--ca", ca.toString(), "-u", "alice", "localhost",
                Integer.toString(server.localAddress().getPort()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int rc = cmd.interactive(new java.io.BufferedReader(new java.io.StringReader(script)),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new dev.polyserve.cli.ProgressLine(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), false, 80));
        assertThat(rc).as(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readString(dir.resolve("a1.txt"))).isEqualTo("first\n");
        assertThat(Files.readString(dir.resolve("b1.txt"))).isEqualTo("second\n");
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("TLS on");
    }

    @Test
    void trustAndRefusals() {
        assertThat(run("--tls", "ls", base)).as("the system's CAs do not know the test certificate").isEqualTo(FtpFailure.REFUSED);
        assertThat(run("--tls", "--insecure", "ls", base)).isZero();
        assertThat(run("ls", base)).as("plain FTP against --tls-required").isEqualTo(FtpFailure.REFUSED);
        assertThat(run("--insecure", "ls", base)).as("--insecure without --tls").isEqualTo(2);
        assertThat(run("--tls", "--insecure", "--ca", ca.toString(), "ls", base)).isEqualTo(2);
    }

    @Test
    void implicitTlsByFtpsUrlOrOptionAgainstTheImplicitListener() throws IOException {
        FtpServer implicit = FtpServer.start(Server.tcp(0).host("127.0.0.1").model("nio"), cfg, s -> s,
                FtpTls.of(TestTls.server(), true, true), 0);
        try {
            int port = implicit.implicitAddress().getPort();
            byte[] data = new byte[700_000];
            new Random(13).nextBytes(data);
            Path local = Files.write(dir.resolve("imp.bin"), data);
            String ftps = "ftps://alice:pw@localhost:" + port + "/";
            assertThat(run("--ca", ca.toString(), "put", "-q", local.toString(), ftps)).isZero();
            assertThat(Files.readAllBytes(root.resolve("imp.bin"))).isEqualTo(data);
            Path got = dir.resolve("imp-got.bin");
            assertThat(run("--implicit-tls", "--ca", ca.toString(), "get", "-q", "ftp://alice:pw@localhost:" + port + "/imp.bin",
                    "-o", got.toString())).isZero();
            assertThat(Files.readAllBytes(got)).isEqualTo(data);
            String explicitBase = "ftp://alice:pw@localhost:" + implicit.localAddress().getPort() + "/";
            assertThat(run("--tls", "--ca", ca.toString(), "ls", explicitBase)).as("explicit --tls still works").isZero();
            assertThat(run("--implicit-tls", "--ca", ca.toString(), "ls", explicitBase))
                    .as("implicit TLS against the AUTH TLS port: the greeting is no TLS record").isEqualTo(FtpFailure.REFUSED);

            // The shell takes the URL in HOST's place: implicit TLS, the user, then the password asked, then its directory.
            Files.createDirectories(root.resolve("sub"));
            Files.writeString(root.resolve("sub/in-sub.txt"), "below\n");
            FtpCommand cmd = new FtpCommand();
            new CommandLine(cmd).parseArgs("--ca", ca.toString(), "ftps://alice@localhost:" + port + "/sub");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int rc = cmd.interactive(new java.io.BufferedReader(new java.io.StringReader(String.join("\n", "pw", "pwd", "list", "quit") + "\n")),
                    new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                    new dev.polyserve.cli.ProgressLine(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), false, 80));
            String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(rc).as(text).isZero();
            assertThat(text).doesNotContain("Name (").contains("TLS on", "230 ", "> /sub\n", "in-sub.txt", "Goodbye.")
                    .doesNotContain("Login incorrect");
        } finally {
            implicit.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void anFtpsUrlDefaultsToPort990() {
        FtpUrl u = FtpUrl.parse("ftps://bob@host/a.txt");
        assertThat(u.implicitTls()).isTrue();
        assertThat(u.port()).isEqualTo(FtpUrl.IMPLICIT_TLS_PORT);
        assertThat(FtpUrl.parse("ftp://host/a.txt").implicitTls()).isFalse();
    }
}
