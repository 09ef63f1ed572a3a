package dev.polyserve.cli.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.cli.Main;
import dev.polyserve.cli.PolyserveProcess;
import dev.polyserve.core.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code polyserve serve ftp} and {@code polyserve ftp-user add} as a user runs them. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServeFtpCommandTest {
    @TempDir
    Path dir;

    private static String passiveRange() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            int first = Math.min(s.getLocalPort(), 65_000);
            return first + "-" + (first + 20);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "nio"})
    void usersFileServerAnnouncesServesAndStops(String model) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path users = dir.resolve("users");
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream("pw with spaces\n".getBytes(StandardCharsets.UTF_8)));
        try {
            assertThat(Main.run("ftp-user", "add", "carol", "--home", ".", "--write", "--users", users.toString(),
                    "--password-stdin", "--iterations", "1000")).isZero();
        } finally {
            System.setIn(stdin);
        }
        assertThat(Files.readString(users)).contains("carol:rw:pbkdf2-sha256$1000$").doesNotContain("pw with spaces");

        try (PolyserveProcess p = PolyserveProcess.start("serve", "ftp", "--model", model, "--port", "0",
                "--root", root.toString(), "--users", users.toString(), "--passive-ports", passiveRange())) {
            String line = p.awaitListening();
            assertThat(line).matches("listening on 127\\.0\\.0\\.1:\\d+ \\(service=ftp, model=" + model + ", transport=tcp\\)");
            FTPClient c = new FTPClient();
            c.connect("127.0.0.1", PolyserveProcess.port(line));
            assertThat(c.login("carol", "pw with spaces")).isTrue();
            c.enterLocalPassiveMode();
            c.setFileType(FTP.BINARY_FILE_TYPE);
            assertThat(c.storeFile("x.bin", new ByteArrayInputStream(new byte[100_000]))).isTrue();
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            assertThat(c.retrieveFile("x.bin", back)).isTrue();
            assertThat(back.size()).isEqualTo(100_000);
            c.disconnect();
            assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
            assertThat(p.remainingStdout()).isEmpty();
        }
    }

    /** Named users and anonymous on one server, the banner, the masquerade address and a list of passive ranges. */
    @Test
    void usersAndAnonymousTogetherWithBannerAndMasqueradeAddress() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path pub = Files.createDirectories(dir.resolve("pub"));
        Files.writeString(pub.resolve("readme.txt"), "public");
        Files.writeString(root.resolve("private.txt"), "carol's");
        Path users = dir.resolve("users");
        addUser(users, "carol", "pw-carol");
        try (PolyserveProcess p = PolyserveProcess.start("serve", "ftp", "--port", "0", "--root", root.toString(),
                "--users", users.toString(), "--anonymous")) {
            assertThat(p.process.waitFor()).as("--users with --anonymous needs --anonymous-root").isEqualTo(2);
        }
        int first = Integer.parseInt(passiveRange().split("-")[0]);
        String a = first + "-" + (first + 9);
        String b = (first + 11) + "-" + (first + 20);
        try (PolyserveProcess p = PolyserveProcess.start("serve", "ftp", "--port", "0", "--root", root.toString(),
                "--users", users.toString(), "--anonymous", "--anonymous-root", pub.toString(),
                "--banner", "Welcome to the test archive", "--masquerade-address", "203.0.113.7",
                "--passive-ports", a + "," + b)) {
            int port = PolyserveProcess.port(p.awaitListening());
            FTPClient anon = new FTPClient();
            anon.connect("127.0.0.1", port);
            assertThat(anon.getReplyString()).isEqualTo("220 Welcome to the test archive\r\n");
            assertThat(anon.login("anonymous", "me@example.org")).isTrue();
            assertThat(anon.sendCommand("PASV")).isEqualTo(227);
            assertThat(anon.getReplyString()).contains("(203,0,113,7,");
            anon.enterLocalPassiveMode();
            anon.setUseEPSVwithIPv4(true); // EPSV names no address: the transfer works from here
            assertThat(anon.listNames()).containsExactly("readme.txt");
            assertThat(anon.storeFile("up.txt", new ByteArrayInputStream(new byte[10]))).as("read-only").isFalse();
            anon.disconnect();
            FTPClient carol = new FTPClient();
            carol.connect("127.0.0.1", port);
            assertThat(carol.login("carol", "pw-carol")).isTrue();
            carol.enterLocalPassiveMode();
            carol.setUseEPSVwithIPv4(true);
            assertThat(carol.listNames()).containsExactly("private.txt");
            carol.disconnect();
            assertThat(p.terminate()).isZero();
        }
    }

    /** New uploads get 0666 less the server's umask; a file uploaded over keeps its mode. */
    @Test
    void uploadsAreCreatedWithTheProcessUmask() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path users = dir.resolve("users");
        addUser(users, "carol", "pw-carol");
        Path err = dir.resolve("err.log");
        Path kept = Files.writeString(root.resolve("kept.txt"), "old");
        Files.setPosixFilePermissions(kept, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        try (PolyserveProcess p = PolyserveProcess.startLimited("umask 027", java.util.List.of(), err,
                "serve", "ftp", "--port", "0", "--root", root.toString(), "--users", users.toString(),
                "--passive-ports", passiveRange())) {
            FTPClient c = new FTPClient();
            c.connect("127.0.0.1", PolyserveProcess.port(p.awaitListening()));
            assertThat(c.login("carol", "pw-carol")).isTrue();
            c.enterLocalPassiveMode();
            assertThat(c.storeFile("new.txt", new ByteArrayInputStream(new byte[10]))).isTrue();
            assertThat(c.storeFile("kept.txt", new ByteArrayInputStream(new byte[10]))).isTrue();
            c.disconnect();
            assertThat(p.terminate()).isZero();
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("new.txt"))))
                .isEqualTo("rw-r-----");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)))
                .isEqualTo("rw-rw-rw-");
    }

    /** SIGHUP re-reads the users file and, with FTPS, the certificate too: both actions share the signal. */
    @Test
    void sighupReloadsTheUsersFileAndTheCertificate() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path users = dir.resolve("users");
        addUser(users, "carol", "pw-carol");
        Path certs = dir.resolve("certs");
        try (PolyserveProcess c = PolyserveProcess.start("cert", "--out", certs.toString())) {
            assertThat(c.process.waitFor()).isZero();
        }
        Path err = dir.resolve("err.log");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "ftp", "--port", "0", "--root", root.toString(),
                "--users", users.toString(), "--passive-ports", passiveRange(),
                "--tls-cert", certs.resolve("cert.pem").toString(), "--tls-key", certs.resolve("key.pem").toString())) {
            p.awaitListening();
            new ProcessBuilder("kill", "-HUP", Long.toString(p.process.pid())).inheritIO().start().waitFor();
            Await.until(Duration.ofSeconds(30), "both reload lines", () -> {
                String log;
                try {
                    log = Files.readString(err);
                } catch (java.io.IOException e) {
                    return false;
                }
                return log.contains("users file " + users + " reloaded: 1 users") && log.contains("TLS: reloaded");
            });
            assertThat(p.terminate()).isZero();
        }
    }

    private static void addUser(Path users, String name, String password) {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)));
        try {
            assertThat(Main.run("ftp-user", "add", name, "--home", ".", "--write", "--users", users.toString(),
                    "--password-stdin", "--iterations", "1000")).isZero();
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void rootAndAccessAreRequired() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "ftp", "--port", "0", "--root", dir.toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2); // neither --users nor --anonymous
        }
        try (PolyserveProcess p = PolyserveProcess.start("serve", "ftp", "--port", "0", "--anonymous", "--root", dir.resolve("none").toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2);
        }
    }
    /** {@code --web-port}: the server's /dashboard, with the data connections' bytes counted beside the control's. */
    @Test
    void webPortShowsTransfersOnTheDashboard() throws Exception {
        Path root = Files.createDirectories(dir.resolve("pub"));
        Files.write(root.resolve("big.bin"), new byte[2_000_000]);
        int webPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            webPort = probe.getLocalPort();
        }
        try (PolyserveProcess p = PolyserveProcess.start("serve", "ftp", "--port", "0", "--anonymous", "--root", root.toString(),
                "--passive-ports", passiveRange(), "--web-port", Integer.toString(webPort));
             java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            int port = PolyserveProcess.port(p.awaitListening());
            java.util.concurrent.LinkedBlockingQueue<String> points = new java.util.concurrent.LinkedBlockingQueue<>();
            java.net.http.WebSocket ws = http.newWebSocketBuilder().buildAsync(
                    java.net.URI.create("ws://127.0.0.1:" + webPort + "/dashboard/ws"), new java.net.http.WebSocket.Listener() {
                        final StringBuilder text = new StringBuilder();

                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                points.add(text.toString());
                                text.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(20, TimeUnit.SECONDS);
            boolean seen = false;
            java.util.List<String> heard = new java.util.ArrayList<>();
            try {
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
                while (!seen && System.nanoTime() < deadline) {
                    FTPClient c = new FTPClient();
                    c.connect("127.0.0.1", port);
                    assertThat(c.login("anonymous", "test@")).isTrue();
                    c.enterLocalPassiveMode();
                    c.setFileType(FTP.BINARY_FILE_TYPE);
                    assertThat(c.retrieveFile("big.bin", java.io.OutputStream.nullOutputStream())).isTrue();
                    c.disconnect();
                    // A point that saw a transfer's megabytes go out: the data connections are counted.
                    for (String m; (m = points.poll()) != null; ) {
                        heard.add(m);
                        var out = java.util.regex.Pattern.compile("\"out\":([0-9.Ee+-]+)").matcher(m);
                        if (out.find() && Double.parseDouble(out.group(1)) > 500_000) seen = true;
                    }
                }
            } finally {
                ws.abort();
            }
            assertThat(seen).as("a dashboard point with the transfer's bytes; heard " + heard).isTrue();
            assertThat(p.terminate()).isZero();
        }
    }
}
