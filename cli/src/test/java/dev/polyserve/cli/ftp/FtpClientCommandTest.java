package dev.polyserve.cli.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Server;
import dev.polyserve.services.ftp.Authenticator;
import dev.polyserve.services.ftp.FtpConfig;
import dev.polyserve.services.ftp.FtpServer;
import dev.polyserve.services.ftp.PasswordHash;
import dev.polyserve.services.ftp.UsersFile;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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

/** The polyserve FTP client, one-shot and interactive, against a polyserve FTP server on loopback. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class FtpClientCommandTest {
    @TempDir
    Path dir;
    Path root;
    FtpServer server;
    String base;

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        UsersFile users = UsersFile.load(dir.resolve("users"));
        users.put(new UsersFile.Entry("alice", true, PasswordHash.create("pw".toCharArray(), PasswordHash.MIN_ITERATIONS), "."));
        int first;
        try (ServerSocket s = new ServerSocket(0)) {
            first = s.getLocalPort();
        }
        FtpConfig cfg = FtpConfig.defaults(Authenticator.users(users, root).orElse(Authenticator.anonymous(root)))
                .withPassivePorts(new dev.polyserve.services.ftp.PortRange(Math.min(first, 65_000), Math.min(first, 65_000) + 20))
                .withLoginFailures(Duration.ofMillis(10), 100, Duration.ofMinutes(1));
        server = FtpServer.start(Server.tcp(0).host("127.0.0.1").model("nio"), cfg);
        base = "ftp://alice:pw@127.0.0.1:" + server.localAddress().getPort() + "/";
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    private static int run(String... args) {
        return new CommandLine(new FtpCommand()).execute(args);
    }

    @Test
    void oneShotCommandsTransferAndReportExitCodes() throws IOException {
        byte[] data = new byte[2_000_000];
        new Random(7).nextBytes(data);
        Path local = Files.write(dir.resolve("up.bin"), data);
        assertThat(run("put", "-q", local.toString(), base)).isZero();
        assertThat(Files.readAllBytes(root.resolve("up.bin"))).isEqualTo(data);
        assertThat(run("put", "-q", local.toString(), base + "renamed.bin")).isZero();
        assertThat(root.resolve("renamed.bin")).exists();

        Path got = dir.resolve("got.bin");
        assertThat(run("get", "-q", base + "up.bin", "-o", got.toString())).isZero();
        assertThat(Files.readAllBytes(got)).isEqualTo(data);

        PrintStream old = System.out;
        ByteArrayOutputStream listing = new ByteArrayOutputStream();
        System.setOut(new PrintStream(listing, true, StandardCharsets.UTF_8));
        try {
            assertThat(run("ls", base)).isZero();
        } finally {
            System.setOut(old);
        }
        assertThat(listing.toString(StandardCharsets.UTF_8).lines()).containsExactly("renamed.bin", "up.bin");

        assertThat(run("get", "-q", base + "missing.bin", "-o", dir.resolve("m").toString())).isEqualTo(FtpFailure.REFUSED);
        assertThat(dir.resolve("m")).doesNotExist();
        assertThat(run("put", "-q", dir.resolve("nope").toString(), base)).isEqualTo(FtpFailure.LOCAL);
        assertThat(run("get", "-q", "ftp://alice:wrong@127.0.0.1:" + server.localAddress().getPort() + "/up.bin")).isEqualTo(FtpFailure.REFUSED);
        assertThat(run("put", "-q", local.toString(), "ftp://127.0.0.1:" + server.localAddress().getPort() + "/anon.bin"))
                .as("anonymous is read-only").isEqualTo(FtpFailure.REFUSED);
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(run("ls", "ftp://127.0.0.1:" + closed + "/")).isEqualTo(FtpFailure.CONNECTION);
        assertThat(run("get", "not a url")).isEqualTo(2);
    }

    @Test
    void interactiveSessionFollowsTheMenu() throws IOException {
        Files.writeString(root.resolve("hello.txt"), "hello from the server\n");
        Path upload = Files.writeString(dir.resolve("mine.txt"), "uploaded by the shell\n");
        Path saved = dir.resolve("saved.txt");
        String script = String.join("\n", "alice", "pw", "help", "list", "put " + upload + " mine.txt",
                "get hello.txt " + saved, "cd nowhere", "frobnicate", "pwd", "quit") + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        FtpCommand cmd = new FtpCommand();
        cmd.host = "127.0.0.1";
        cmd.port = server.localAddress().getPort();
        int code = cmd.interactive(new BufferedReader(new StringReader(script)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new dev.polyserve.cli.ProgressLine(new PrintStream(progress, true, StandardCharsets.UTF_8), true, 80));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text).contains("230 Login successful", "Commands:", "hello.txt", "uploaded mine.txt (22 bytes)",
                "saved " + saved + " (22 bytes)", "cd nowhere refused: 550", "unknown command 'frobnicate'", "Goodbye.");
        assertThat(Files.readString(saved)).isEqualTo("hello from the server\n");
        assertThat(Files.readString(root.resolve("mine.txt"))).isEqualTo("uploaded by the shell\n");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[========================] 100%");
    }

    @Test
    void progressBarShowsRateAndEta() {
        long[] now = {0};
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new dev.polyserve.cli.ProgressLine(new PrintStream(sink), true, 80), "f", 4L << 20, 0,
                () -> now[0]);
        now[0] = 1_000_000_000L;
        bar.bytesTransferred(1L << 20, 1, -1);
        assertThat(bar.line(now[0])).isEqualTo("f [======>                 ]  25%  1.0 MiB  1.0 MiB/s  ETA 0:03");
        assertThat(ProgressBar.size(1536)).isEqualTo("1.5 KiB");
    }

    @Test
    void urlsParseLikeCurl() {
        FtpUrl u = FtpUrl.parse("ftp://us%40er:p%3Ass@host:2121/dir/a%20b.txt");
        assertThat(u).isEqualTo(new FtpUrl("host", 2121, "us@er", "p:ss", "dir/a b.txt"));
        assertThat(u.fileName()).isEqualTo("a b.txt");
        assertThat(FtpUrl.parse("ftp://host/").user()).isEqualTo("anonymous");
        assertThat(FtpUrl.parse("ftp://host/").pointsAtDirectory()).isTrue();
    }
}
