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
    UsersFile users;

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        users = UsersFile.load(dir.resolve("users"));
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
        assertThat(text).contains("230 Login successful", "Commands", "hello.txt", "uploaded mine.txt (22 bytes)",
                "saved " + saved + " (22 bytes): 22 B", "cd nowhere refused: 550", "unknown command 'frobnicate'", "Goodbye.");
        assertThat(Files.readString(saved)).isEqualTo("hello from the server\n");
        assertThat(Files.readString(root.resolve("mine.txt"))).isEqualTo("uploaded by the shell\n");
        String bars = progress.toString(StandardCharsets.UTF_8);
        assertThat(bars).as("each bar is drawn, then wiped for the summary line").contains("[========================] 100%").endsWith("\r");
    }

    @Test
    void urlsParseLikeCurl() {
        FtpUrl u = FtpUrl.parse("ftp://us%40er:p%3Ass@host:2121/dir/a%20b.txt");
        assertThat(u).isEqualTo(new FtpUrl("host", 2121, "us@er", "p:ss", "dir/a b.txt"));
        assertThat(u.fileName()).isEqualTo("a b.txt");
        assertThat(FtpUrl.parse("ftp://host/").user()).isEqualTo("anonymous");
        assertThat(FtpUrl.parse("ftp://host/f").port()).as("polyserve's port, like the server's default").isEqualTo(2121);
        assertThat(FtpUrl.parse("ftp://host/").pointsAtDirectory()).isTrue();
    }

    private int shell(String script, ByteArrayOutputStream out) throws IOException {
        FtpCommand cmd = new FtpCommand();
        cmd.host = "127.0.0.1";
        cmd.port = server.localAddress().getPort();
        return cmd.interactive(new BufferedReader(new StringReader(script)), new PrintStream(out, true, StandardCharsets.UTF_8),
                new dev.polyserve.cli.ProgressLine(new PrintStream(new ByteArrayOutputStream()), false, 80));
    }

    @Test
    void aWrongPasswordIsAskedAgainOnTheSameConnection() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = shell(String.join("\n", "alice", "wrong", "pw", "pwd", "quit") + "\n", out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text.indexOf("Connected to")).as("the greeting comes before the questions").isLessThan(text.indexOf("Name"));
        assertThat(text).contains("Login incorrect: 530", "230 Login successful", "Goodbye.");

        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        code = shell(String.join("\n", "alice", "a", "b", "c", "pw") + "\n", out2);
        text = out2.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(FtpFailure.REFUSED);
        assertThat(text).contains("giving up after " + FtpCommand.MAX_LOGIN_ATTEMPTS + " attempts").doesNotContain("230");
    }

    @Test
    void namesWithSpacesAndTheFileCommandsReachTheServersFiles() throws IOException {
        Path mine = Files.createDirectories(dir.resolve("local dir"));
        Files.writeString(mine.resolve("my file.txt"), "spaces and all\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String script = String.join("\n", "alice", "pw",
                "lcd \"" + mine + "\"", "put \"my file.txt\"", "mkdir 'new dir'", "rename my\\ file.txt \"new dir/your file.txt\"",
                "get \"new dir/your file.txt\" 'back here.txt'", "mkdir gone", "rmdir gone", "put \"no such.txt\"",
                "get \"unclosed", "rename onlyone", "lpwd", "quit") + "\n";
        int code = shell(script, out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(root.resolve("new dir/your file.txt")).hasContent("spaces and all");
        assertThat(root.resolve("my file.txt")).doesNotExist();
        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(mine.resolve("back here.txt")).hasContent("spaces and all");
        assertThat(text).contains("no such local file: " + mine.resolve("no such.txt"), "unclosed \" (column 5)",
                "usage: rename FROM TO", "local directory now " + mine);

        code = shell(String.join("\n", "alice", "pw", "rm \"new dir/your file.txt\"", "rm \"new dir/your file.txt\"", "quit") + "\n", out);
        assertThat(code).isZero();
        assertThat(root.resolve("new dir/your file.txt")).doesNotExist();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("rm new dir/your file.txt refused: 550");
    }

    @Test
    void aDownloadIsWrittenToDotPartWithTheUmaskAndRenamedWhenWhole() throws Exception {
        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        Files.write(root.resolve("f.bin"), data);
        Path local = dir.resolve("f.bin");
        try (FtpClientSession s = FtpClientSession.open("127.0.0.1", server.localAddress().getPort(), "alice", "pw", null)) {
            TransferOutcome t = s.get("f.bin", local, false, true, null);
            assertThat(t.cancelled()).isFalse();
            assertThat(t.have()).isEqualTo(data.length);
        }
        assertThat(Files.readAllBytes(local)).isEqualTo(data);
        assertThat(FtpClientSession.partFile(local)).doesNotExist();
        Path fresh = Files.createFile(dir.resolve("fresh"));   // what this process's umask makes of 0666
        assertThat(Files.getPosixFilePermissions(local)).isEqualTo(Files.getPosixFilePermissions(fresh));
    }

    /** A server sending at most {@code rate} bytes a second per session: a transfer slow enough to be cancelled midway. */
    private FtpServer throttled(long rate) throws IOException {
        FtpConfig cfg = FtpConfig.defaults(Authenticator.users(users, root).orElse(Authenticator.anonymous(root)))
                .withRates(new dev.polyserve.services.ftp.TransferRates(rate, rate, 0, 0));
        return FtpServer.start(Server.tcp(0).host("127.0.0.1").model("nio"), cfg);
    }

    private static void awaitSize(Path p, long atLeast) {
        dev.polyserve.core.Await.until(java.time.Duration.ofSeconds(30), p + " to reach " + atLeast + " bytes", () -> {
            try {
                return Files.size(p) >= atLeast;
            } catch (IOException notYet) {
                return false; // not created yet
            }
        });
    }

    private static java.util.concurrent.CompletableFuture<TransferOutcome> downloadInBackground(FtpClientSession s, String remote,
            Path local, boolean keepPartial) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return s.get(remote, local, false, keepPartial, null);
            } catch (FtpFailure e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @Test
    void cancellingADownloadAbortsItKeepsThePartAndRegetCompletesIt() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(11).nextBytes(data);
        Files.write(root.resolve("big file.bin"), data);
        Path local = dir.resolve("big file.bin");
        Path part = FtpClientSession.partFile(local);
        FtpServer slow = throttled(1 << 20);
        try (FtpClientSession s = FtpClientSession.open("127.0.0.1", slow.localAddress().getPort(), "alice", "pw", null)) {
            var result = downloadInBackground(s, "big file.bin", local, true);
            awaitSize(part, 200_000);
            s.cancel();
            TransferOutcome t = result.get(60, TimeUnit.SECONDS);
            assertThat(t.cancelled()).isTrue();
            assertThat(local).doesNotExist();
            long kept = Files.size(part);
            assertThat(kept).isBetween(200_000L, (long) data.length - 1);
            assertThat(t.have()).isEqualTo(kept);
            assertThat(s.pwd()).as("the control connection is in step after ABOR").isEqualTo("/");

            TransferOutcome resumed = s.get("big file.bin", local, true, true, null);
            assertThat(resumed.offset()).isEqualTo(kept);
            assertThat(resumed.moved()).isEqualTo(data.length - kept);
            assertThat(Files.readAllBytes(local)).isEqualTo(data);
            assertThat(part).doesNotExist();

            // The other choice: nothing is left behind.
            Files.delete(local);
            var again = downloadInBackground(s, "big file.bin", local, false);
            awaitSize(part, 100_000);
            s.cancel();
            assertThat(again.get(60, TimeUnit.SECONDS).cancelled()).isTrue();
            assertThat(part).doesNotExist();
            assertThat(local).doesNotExist();
            java.util.List<String> names = new java.util.ArrayList<>();
            assertThat(s.list("", f -> names.add(f.getName())).cancelled()).isFalse();
            assertThat(names).contains("big file.bin");
        } finally {
            slow.stop(Duration.ofSeconds(2));
        }
    }

    /** Entries in the directory whose listing is cut short: the most the server lists (FtpSession.MAX_LISTING_ENTRIES). */
    private static final int MANY = 10_000;

    @Test
    void ctrlCDuringALongListingCancelsItAndThePromptComesBack() throws IOException {
        Path many = Files.createDirectories(root.resolve("many"));
        for (int i = 0; i < MANY; i++) Files.createFile(many.resolve(String.format("entry-%05d", i)));
        java.util.concurrent.atomic.AtomicReference<Runnable> ctrlC = new java.util.concurrent.atomic.AtomicReference<>();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        // The user presses Ctrl-C as soon as the first entry shows. Here the interrupt runs on the shell's own thread,
        // while it prints that entry (between two reads of the listing), so it lands mid-listing on any machine.
        java.io.OutputStream watching = new java.io.OutputStream() {
            private boolean pressed;

            @Override
            public void write(int b) {
                screen.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                screen.write(b, off, len);
                if (!pressed && new String(b, off, len, StandardCharsets.UTF_8).contains("entry-")) {
                    pressed = true;
                    ctrlC.get().run();
                }
            }
        };
        FtpCommand cmd = new FtpCommand();
        cmd.host = "127.0.0.1";
        cmd.port = server.localAddress().getPort();
        String script = String.join("\n", "alice", "pw", "ls many", "pwd", "mkdir after", "dir", "quit") + "\n";
        int code = cmd.interactive(ShellInput.of(new BufferedReader(new StringReader(script)), new PrintStream(new ByteArrayOutputStream())),
                new PrintStream(watching, true, StandardCharsets.UTF_8),
                () -> new dev.polyserve.cli.ProgressLine(new PrintStream(new ByteArrayOutputStream()), false, 80), ctrlC::set);
        String text = screen.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text).contains("list cancelled after 1 entry\n");
        assertThat(text.lines().filter(l -> l.contains("entry-"))).as("nothing printed after the Ctrl-C").hasSize(1);
        assertThat(root.resolve("after")).as("the commands after it reached the server").isDirectory();
        assertThat(text.substring(text.indexOf("list cancelled"))).as("the control connection is in step: pwd, then a whole listing")
                .contains("\n/\n", "many", "after", "Goodbye.");
    }

    @Test
    void reputContinuesTheServersCopy() throws Exception {
        byte[] data = new byte[1_000_000];
        new Random(5).nextBytes(data);
        Path local = Files.write(dir.resolve("up.bin"), data);
        Files.write(root.resolve("up.bin"), java.util.Arrays.copyOf(data, 400_000));
        try (FtpClientSession s = FtpClientSession.open("127.0.0.1", server.localAddress().getPort(), "alice", "pw", null)) {
            TransferOutcome t = s.put(local, "up.bin", true, null);
            assertThat(t.offset()).isEqualTo(400_000);
            assertThat(t.moved()).isEqualTo(600_000);
            assertThat(Files.readAllBytes(root.resolve("up.bin"))).isEqualTo(data);
            assertThat(s.put(local, "up.bin", true, null).moved()).as("already whole").isZero();
        }
    }
}
