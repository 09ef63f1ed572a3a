package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Await;
import dev.polyserve.core.CapturedStderr;
import dev.polyserve.core.Engines;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The FTP server against Apache Commons Net's FTPClient (and raw sockets where a client library would hide
 * the protocol), on real loopback sockets, on every model the class path offers. Deadlines only stop a hung
 * test; nothing asserts speed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FtpServerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static Stream<String> models() {
        return Engines.availableNames().stream();
    }

    /** Models that serve several control connections at once (all but the course's iterative server). */
    static Stream<String> concurrentModels() {
        return models().filter(m -> !m.equals("iterative"));
    }

    /** The heavier checks run on the models the issue names (epoll when this machine has it). */
    static Stream<String> mainModels() {
        return Stream.of("virtual", "nio", "epoll").filter(Engines.availableNames()::contains);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] retrieve(FTPClient c, String path) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(c.retrieveFile(path, out)).as("RETR %s: %s", path, c.getReplyString()).isTrue();
        return out.toByteArray();
    }

    /**
     * A data connection that stops moving (the client takes no more of a download, or sends no more of an upload) is
     * aborted at the data timeout: the transfer ends with 426 on the control connection, which goes on working.
     * Passive data connections have their listener's idle timeout; active ones a watchdog beside the blocking copy.
     * The session logs each aborted transfer in one line.
     */
    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"nio,passive", "nio,active", "epoll,passive", "virtual,active"})
    void aStalledDataConnectionIsAbortedWith426(String model, String mode) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Engines.availableNames().contains(model));
        try (CapturedStderr log = new CapturedStderr();
             FtpTestServer s = new FtpTestServer(model, dir, cfg -> cfg.withDataTimeout(Duration.ofMillis(500)), b -> b)) {
            Files.write(s.root.resolve("big.bin"), random(16 << 20, 7)); // far more than the socket buffers hold
            FTPClient c = s.client(true);
            if (mode.equals("active")) c.enterLocalActiveMode();
            c.setReceiveBufferSize(4096);
            InputStream download = c.retrieveFileStream("big.bin");
            assertThat(download).as(c.getReplyString()).isNotNull();
            assertThat(download.read()).isNotNegative(); // the transfer started; now stop reading
            assertThat(c.completePendingCommand()).as("RETR ends unsuccessfully").isFalse();
            assertThat(c.getReplyCode()).as(c.getReplyString()).isEqualTo(426);
            download.close();

            OutputStream upload = c.storeFileStream("partial.bin");
            assertThat(upload).as(c.getReplyString()).isNotNull();
            upload.write(random(1000, 8));
            upload.flush(); // then nothing more, and the data connection stays open
            assertThat(c.completePendingCommand()).as("STOR ends unsuccessfully").isFalse();
            assertThat(c.getReplyCode()).as(c.getReplyString()).isEqualTo(426);
            upload.close();
            assertThat(Files.exists(s.root.resolve("partial.bin"))).as("a cut upload leaves no file").isFalse();
            assertThat(c.sendNoOp()).as("the control connection still works").isTrue();
            // The control session's line for each aborted transfer (the data connection's own layer logs its side).
            for (String transfer : List.of("RETR /big.bin aborted", "STOR /partial.bin aborted")) {
                assertThat(log.text().lines().filter(l -> l.contains(transfer)))
                        .as("one log line for %s: %s", transfer, log.text()).hasSize(1);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void everydayCommandsWork(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            FTPClient c = s.client(true);
            assertThat(c.printWorkingDirectory()).isEqualTo("/");
            assertThat(c.makeDirectory("docs")).as(c.getReplyString()).isTrue();
            assertThat(c.changeWorkingDirectory("docs")).isTrue();
            assertThat(c.printWorkingDirectory()).isEqualTo("/docs");

            byte[] blob = random(3 << 20, 1);
            assertThat(c.storeFile("blob.bin", new ByteArrayInputStream(blob))).as(c.getReplyString()).isTrue();
            assertThat(Files.readAllBytes(s.root.resolve("docs/blob.bin"))).isEqualTo(blob);
            assertThat(retrieve(c, "blob.bin")).isEqualTo(blob);

            FTPFile[] list = c.listFiles();
            assertThat(list).extracting(FTPFile::getName).containsExactly("blob.bin");
            assertThat(list[0].getSize()).isEqualTo(blob.length);
            assertThat(c.listNames()).containsExactly("blob.bin");
            FTPFile[] mlsd = c.mlistDir();
            assertThat(mlsd).extracting(FTPFile::getName).containsExactly("blob.bin");
            assertThat(mlsd[0].getSize()).isEqualTo(blob.length);
            assertThat(c.mlistFile("blob.bin").getSize()).isEqualTo(blob.length);
            assertThat(c.getSize("blob.bin")).isEqualTo(Long.toString(blob.length));
            assertThat(c.getModificationTime("blob.bin")).matches("\\d{14}");

            assertThat(c.rename("blob.bin", "/docs/renamed.bin")).isTrue();
            assertThat(Files.exists(s.root.resolve("docs/blob.bin"))).isFalse();
            assertThat(retrieve(c, "renamed.bin")).isEqualTo(blob);
            assertThat(c.deleteFile("renamed.bin")).isTrue();
            assertThat(c.changeToParentDirectory()).isTrue();
            assertThat(c.removeDirectory("docs")).isTrue();
            assertThat(Files.exists(s.root.resolve("docs"))).isFalse();
            assertThat(c.logout()).isTrue();
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void asciiModeConvertsLineEndingsBothWays(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            FTPClient c = s.client(true);
            String text = "first line\nsecond line\n\nlast\n";
            // Commons Net sends local LF as CRLF in ASCII mode; the server must store LF.
            assertThat(c.setFileType(FTP.ASCII_FILE_TYPE)).isTrue();
            assertThat(c.storeFile("t.txt", new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))).isTrue();
            assertThat(Files.readString(s.root.resolve("t.txt"))).isEqualTo(text);
            assertThat(new String(retrieve(c, "t.txt"), StandardCharsets.US_ASCII)).isEqualTo(text);
            // On the wire (binary client view of an ASCII download) lines end with CRLF.
            Files.writeString(s.root.resolve("wire.txt"), "a\nb\n");
            assertThat(c.setFileType(FTP.ASCII_FILE_TYPE)).isTrue();
            InputStream raw = c.retrieveFileStream("wire.txt");
            byte[] wire = raw.readAllBytes();
            raw.close();
            assertThat(c.completePendingCommand()).isTrue();
            // Commons Net's ASCII stream turns CRLF back into LF, so check the stored bytes are untouched
            assertThat(new String(wire, StandardCharsets.US_ASCII)).isEqualTo("a\nb\n");
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void restResumesDownloadsAndUploads(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            FTPClient c = s.client(true);
            byte[] data = random(1 << 20, 2);
            Files.write(s.root.resolve("big.bin"), data);
            c.setRestartOffset(300_000);
            assertThat(retrieve(c, "big.bin")).isEqualTo(Arrays.copyOfRange(data, 300_000, data.length));

            int half = data.length / 2;
            assertThat(c.storeFile("up.bin", new ByteArrayInputStream(data, 0, half))).isTrue();
            assertThat(c.getSize("up.bin")).isEqualTo(Integer.toString(half));
            c.setRestartOffset(half);
            assertThat(c.storeFile("up.bin", new ByteArrayInputStream(data, half, data.length - half))).as(c.getReplyString()).isTrue();
            assertThat(Files.readAllBytes(s.root.resolve("up.bin"))).isEqualTo(data);

            assertThat(c.appendFile("up.bin", new ByteArrayInputStream("tail".getBytes(StandardCharsets.US_ASCII)))).isTrue();
            assertThat(Files.size(s.root.resolve("up.bin"))).isEqualTo(data.length + 4);

            c.setRestartOffset(data.length * 2L);
            assertThat(c.retrieveFile("big.bin", OutputStream.nullOutputStream())).isFalse();
            assertThat(c.getReplyCode()).isEqualTo(554);
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void activeModeAndEpsvTransfer(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            FTPClient c = s.client(true);
            byte[] data = random(700_000, 3);
            c.enterLocalActiveMode();
            assertThat(c.storeFile("act.bin", new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
            assertThat(retrieve(c, "act.bin")).isEqualTo(data);
            assertThat(c.listNames()).containsExactly("act.bin");
            c.enterLocalPassiveMode();
            c.setUseEPSVwithIPv4(true);
            assertThat(retrieve(c, "act.bin")).isEqualTo(data);
            assertThat(c.getReplyString()).startsWith("226");
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void anonymousIsReadOnly(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            Files.writeString(s.root.resolve("pub.txt"), "public");
            FTPClient c = s.client(false);
            assertThat(c.login("anonymous", "guest@example.org")).isTrue();
            c.enterLocalPassiveMode();
            assertThat(new String(retrieve(c, "pub.txt"), StandardCharsets.US_ASCII)).isEqualTo("public");
            assertThat(c.storeFile("new.txt", new ByteArrayInputStream(new byte[10]))).isFalse();
            assertThat(c.getReplyCode()).isEqualTo(550);
            assertThat(c.makeDirectory("d")).isFalse();
            assertThat(c.deleteFile("pub.txt")).isFalse();
            assertThat(c.rename("pub.txt", "x")).isFalse();
            assertThat(Files.exists(s.root.resolve("new.txt"))).isFalse();
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void wrongPasswordsAreDelayedThenLockedOut(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir,
                c -> c.withLoginFailures(Duration.ofMillis(20), 3, Duration.ofMinutes(10)), b -> b)) {
            FTPClient c = s.client(false);
            assertThat(c.login(FtpTestServer.USER, "wrong")).isFalse();
            assertThat(c.getReplyCode()).isEqualTo(530);
            assertThat(c.login("nobody", "wrong")).isFalse();
            assertThat(c.getReplyCode()).isEqualTo(530);
            c.disconnect();
            FTPClient d = s.client(false);
            assertThat(d.login(FtpTestServer.USER, "wrong")).isFalse(); // third failure from this address: locked
            d.disconnect();
            FTPClient e = s.client(false);
            // Commons Net reports a 421 as a closed connection.
            assertThatThrownBy(() -> e.login(FtpTestServer.USER, FtpTestServer.PASSWORD))
                    .isInstanceOf(FTPConnectionClosedException.class).hasMessageContaining("421");
            e.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void threeWrongPasswordsCloseTheConnection(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            FTPClient c = s.client(false);
            assertThat(c.login(FtpTestServer.USER, "a")).isFalse();
            assertThat(c.login(FtpTestServer.USER, "b")).isFalse();
            assertThatThrownBy(() -> c.login(FtpTestServer.USER, "c"))
                    .isInstanceOf(FTPConnectionClosedException.class).hasMessageContaining("421");
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("concurrentModels")
    void twentyClientsInParallel(String model) throws Exception {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            int clients = 20;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int id = i;
                    done.add(pool.submit(() -> {
                        FTPClient c = s.client(true);
                        byte[] data = random(200_000 + id * 1000, 100 + id);
                        String name = "client-" + id + ".bin";
                        assertThat(c.storeFile(name, new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
                        assertThat(retrieve(c, name)).isEqualTo(data);
                        assertThat(c.listNames()).contains(name);
                        c.logout();
                        c.disconnect();
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            try (var files = Files.list(s.root)) {
                assertThat(files.filter(p -> p.getFileName().toString().startsWith("client-"))).hasSize(clients);
            }
        }
    }

    /**
     * Twelve sessions set up passive mode (EPSV) and RETR at the same moment, each its own file, twice: the first wave
     * starts data listeners side by side (outside the ports' lock), the second reuses them. Every session gets exactly
     * its own file's bytes, so no data connection was matched to another session's lease while listeners started.
     */
    @ParameterizedTest
    @MethodSource("mainModels")
    void twelveSessionsEpsvAndRetrAtOnceEachGetTheirOwnFile(String model) throws Exception {
        int sessions = 12;
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            List<byte[]> files = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                byte[] data = random((1 << 20) + i * 4099, 300 + i);
                Files.write(s.root.resolve("file-" + i + ".bin"), data);
                files.add(data);
            }
            List<FTPClient> clients = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(sessions);
            try {
                for (int i = 0; i < sessions; i++) {
                    FTPClient c = s.client(true);
                    c.setUseEPSVwithIPv4(true);
                    clients.add(c);
                }
                for (int wave = 0; wave < 2; wave++) {
                    CyclicBarrier together = new CyclicBarrier(sessions);
                    List<Future<byte[]>> got = new ArrayList<>();
                    for (int i = 0; i < sessions; i++) {
                        FTPClient c = clients.get(i);
                        String name = "file-" + i + ".bin";
                        got.add(pool.submit(() -> {
                            together.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                            return retrieve(c, name);
                        }));
                    }
                    for (int i = 0; i < sessions; i++) {
                        assertThat(got.get(i).get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                                .as("wave %d, session %d", wave, i).isEqualTo(files.get(i));
                    }
                }
                for (FTPClient c : clients) {
                    assertThat(c.sendNoOp()).as(c.getReplyString()).isTrue();
                    c.logout();
                    c.disconnect();
                }
            } finally {
                pool.shutdownNow();
                for (FTPClient c : clients) {
                    if (c.isConnected()) c.disconnect();
                }
            }
        }
    }

    // ------------------------------------------------------------------ raw-socket checks

    /** A line-oriented control connection for checks where a client library would hide the protocol. */
    private static final class Raw implements AutoCloseable {
        final Socket socket = new Socket();
        final BufferedReader in;
        final OutputStream out;

        Raw(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) DEADLINE.toMillis());
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        /** The next complete reply's last line (multi-line replies are skipped to their end). */
        String reply() throws IOException {
            String line = in.readLine();
            if (line == null) return null;
            if (line.length() > 3 && line.charAt(3) == '-') {
                String code = line.substring(0, 3);
                do {
                    line = in.readLine();
                } while (line != null && !(line.startsWith(code + " ")));
            }
            return line;
        }

        String cmd(String c) throws IOException {
            out.write((c + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply();
        }

        void login() throws IOException {
            assertThat(reply()).startsWith("220");
            assertThat(cmd("USER " + FtpTestServer.USER)).startsWith("331");
            assertThat(cmd("PASS " + FtpTestServer.PASSWORD)).startsWith("230");
        }

        int epsv() throws IOException {
            String r = cmd("EPSV");
            Matcher m = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)").matcher(r);
            assertThat(m.find()).as(r).isTrue();
            return Integer.parseInt(m.group(1));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void brokenUploadLeavesNoFileUnderTheFinalName(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir); Raw r = new Raw(s.port())) {
            r.login();
            assertThat(r.cmd("TYPE I")).startsWith("200");
            Files.writeString(s.root.resolve("keep.txt"), "old contents");
            int port = r.epsv();
            try (Socket data = new Socket("127.0.0.1", port)) {
                assertThat(r.cmd("STOR keep.txt")).startsWith("150");
                data.getOutputStream().write(random(100_000, 4));
                data.getOutputStream().flush();
                data.setSoLinger(true, 0); // reset: the client died mid-upload
            }
            assertThat(r.reply()).startsWith("426");
            assertThat(Files.readString(s.root.resolve("keep.txt"))).isEqualTo("old contents");
            try (var files = Files.list(s.root)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
            }
        }
    }

    /**
     * A data connection that sat unused past the data timeout is dropped, and its lease is spent, so no other will come
     * for the set-up: the STOR asked for next ends with 426 at once, rather than waiting the data-connect timeout (a
     * minute here) for a connection and then answering 425.
     */
    @ParameterizedTest
    @MethodSource("mainModels")
    void dataConnectionDroppedBeforeItsTransferEndsTheTransferWith426(String model) throws IOException {
        Duration dataTimeout = Duration.ofMillis(300);
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c.withDataTimeout(dataTimeout)
                .withDataConnectTimeout(Duration.ofMinutes(1)), b -> b);
             Raw r = new Raw(s.port())) {
            r.login();
            assertThat(r.cmd("TYPE I")).startsWith("200");
            Files.writeString(s.root.resolve("keep.txt"), "old contents");
            var data = s.server.service().dataStats();
            int port = r.epsv();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout((int) DEADLINE.toMillis());
                assertThat(socket.getInputStream().read()).isEqualTo(-1); // the server dropped it, idle
                Await.until(DEADLINE, "the server closed its side", () -> data.open() == 0);
            } catch (IOException resetByServer) {
                // dropped either way
            }
            assertThat(r.cmd("STOR keep.txt")).startsWith("150");
            assertThat(r.reply()).startsWith("426");
            assertThat(Files.readString(s.root.resolve("keep.txt"))).isEqualTo("old contents");
            assertThat(r.cmd("NOOP")).startsWith("200");
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void protocolRepliesForBadInput(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir); Raw r = new Raw(s.port())) {
            assertThat(r.reply()).startsWith("220");
            assertThat(r.cmd("LIST")).startsWith("530");
            assertThat(r.cmd("PASS x")).startsWith("503");
            assertThat(r.cmd("XYZZY")).startsWith("500");
            assertThat(r.cmd("FEAT")).startsWith("211 End");
            assertThat(r.cmd("USER " + FtpTestServer.USER)).startsWith("331");
            assertThat(r.cmd("PASS " + FtpTestServer.PASSWORD)).startsWith("230");
            assertThat(r.cmd("RNTO x")).startsWith("503");
            assertThat(r.cmd("TYPE E")).startsWith("504");
            assertThat(r.cmd("MODE B")).startsWith("504");
            assertThat(r.cmd("RETR")).startsWith("501");
            assertThat(r.cmd("PORT 10,0,0,1,200,10")).startsWith("501"); // FTP bounce refused
            assertThat(r.cmd("PORT 127,0,0,1,0,21")).startsWith("501");  // privileged port refused
            assertThat(r.cmd("EPRT |3|x|1|")).startsWith("522");
            assertThat(r.cmd("RETR nothing-prepared")).startsWith("425");
            assertThat(r.cmd("OPTS UTF8 ON")).startsWith("200");
            assertThat(r.cmd("X".repeat(5000))).startsWith("500");
            assertThat(r.cmd("NOOP")).startsWith("200");
            assertThat(r.cmd("QUIT")).startsWith("221");
            assertThat(r.in.readLine()).isNull();
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void dataConnectionFromAnotherAddressIsRefused(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir); Raw r = new Raw(s.port())) {
            r.login();
            Files.writeString(s.root.resolve("f.txt"), "payload");
            int port = r.epsv();
            try (Socket thief = new Socket()) {
                thief.bind(new InetSocketAddress("127.0.0.2", 0)); // another address on loopback
                thief.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                thief.setSoTimeout((int) DEADLINE.toMillis());
                assertThat(thief.getInputStream().read()).isEqualTo(-1);
            } catch (IOException resetByServer) {
                // refused: either way the thief got nothing
            }
            try (Socket data = new Socket("127.0.0.1", port)) {
                assertThat(r.cmd("RETR f.txt")).startsWith("150");
                assertThat(new String(data.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("payload");
            }
            assertThat(r.reply()).startsWith("226");
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void idleControlConnectionGets421(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c, b -> b.idleTimeout(Duration.ofMillis(300)));
                Raw r = new Raw(s.port())) {
            assertThat(r.reply()).startsWith("220");
            assertThat(r.reply()).startsWith("421");
            assertThat(r.in.readLine()).isNull();
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void connectionsPerAddressAreCapped(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c.withMaxConnectionsPerIp(2), b -> b);
                Raw a = new Raw(s.port()); Raw b = new Raw(s.port())) {
            assertThat(a.reply()).startsWith("220");
            assertThat(b.reply()).startsWith("220");
            try (Raw c = new Raw(s.port())) {
                assertThat(c.reply()).startsWith("421");
            }
            a.cmd("QUIT");
            Await.until(DEADLINE, "slot freed", () -> s.server.service().perIp.open(a.socket.getLocalAddress()) < 2);
            try (Raw d = new Raw(s.port())) {
                assertThat(d.reply()).startsWith("220");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void aborWhileWaitingForTheDataConnection(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir); Raw r = new Raw(s.port())) {
            r.login();
            Files.writeString(s.root.resolve("f.txt"), "payload");
            r.epsv();
            assertThat(r.cmd("RETR f.txt")).startsWith("150");
            assertThat(r.cmd("ABOR")).startsWith("426");
            assertThat(r.reply()).startsWith("226");
            assertThat(r.cmd("NOOP")).startsWith("200");
        }
    }

    @ParameterizedTest
    @MethodSource("mainModels")
    void dataConnectionThatNeverComesGets425(String model) throws IOException {
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c.withDataConnectTimeout(Duration.ofMillis(200)), b -> b);
                Raw r = new Raw(s.port())) {
            r.login();
            Files.writeString(s.root.resolve("f.txt"), "payload");
            r.epsv(); // and never connect
            assertThat(r.cmd("RETR f.txt")).startsWith("150");
            assertThat(r.reply()).startsWith("425");
            assertThat(r.cmd("NOOP")).startsWith("200");
        }
    }
}
