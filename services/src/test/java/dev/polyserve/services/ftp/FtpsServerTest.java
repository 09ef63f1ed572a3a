package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Engines;
import dev.polyserve.core.tls.TestTls;
import dev.polyserve.core.tls.TlsChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FTPS (RFC 4217) against Apache Commons Net's FTPSClient and a raw client over the JDK's SSLEngine, on real loopback
 * sockets: explicit AUTH TLS and implicit TLS, PROT P data connections that must resume the control connection's
 * session, --tls-required refusals, and the small commands (PBSZ, PROT, CCC, FEAT).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FtpsServerTest {
    @TempDir
    Path dir;

    private FtpTestServer server;

    /** The models the issue names, as far as this machine has them. */
    static Stream<String> models() {
        return Stream.of("nio", "virtual", "epoll", "uring").filter(Engines.availableNames()::contains);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private FtpTestServer start(String model, boolean required, boolean reuse) throws IOException {
        server = new FtpTestServer(model, dir, c -> c, b -> b, FtpTls.of(TestTls.server(), required, reuse), 0);
        return server;
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

    @ParameterizedTest
    @MethodSource("models")
    void explicitFtpsWithSessionReuseMovesFilesByteIdentical(String model) throws IOException {
        start(model, true, true);
        byte[] big = random(3 << 20, 1);
        Files.write(server.root.resolve("big.bin"), big);
        FTPSClient c = FtpsClients.loggedIn(FtpsClients.reusing(false), server.port());
        try {
            assertThat(c.listNames()).contains("big.bin");
            assertThat(retrieve(c, "big.bin")).isEqualTo(big);
            byte[] up = random(1 << 20, 2);
            assertThat(c.storeFile("up.bin", new ByteArrayInputStream(up))).as(c.getReplyString()).isTrue();
            assertThat(Files.readAllBytes(server.root.resolve("up.bin"))).isEqualTo(up);
            c.enterLocalActiveMode(); // the server dials out and is still the TLS server
            assertThat(retrieve(c, "up.bin")).isEqualTo(up);
            assertThat(c.storeFile("active.bin", new ByteArrayInputStream(big))).as(c.getReplyString()).isTrue();
            assertThat(Files.readAllBytes(server.root.resolve("active.bin"))).isEqualTo(big);
            assertThat(c.logout()).isTrue();
        } finally {
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void implicitFtpsSpeaksTlsFromTheFirstByte(String model) throws IOException {
        start(model, true, true);
        byte[] data = random(1 << 20, 3);
        Files.write(server.root.resolve("f.bin"), data);
        FTPSClient c = FtpsClients.reusing(true);
        FtpsClients.loggedIn(c, server.server.implicitAddress().getPort());
        try {
            assertThat(retrieve(c, "f.bin")).isEqualTo(data);
            assertThat(c.storeFile("g.bin", new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
            assertThat(Files.readAllBytes(server.root.resolve("g.bin"))).isEqualTo(data);
        } finally {
            c.disconnect();
        }
    }

    /**
     * A client that resumes by the control connection's address, as curl does, transfers again and again (TLS 1.2:
     * the JDK's client uses a TLS 1.3 ticket once, and data connections send none).
     */
    @ParameterizedTest
    @MethodSource("models")
    void dataConnectionsResumeTheControlSessionTransferAfterTransfer(String model) throws IOException {
        start(model, true, true);
        byte[] data = random(300_000, 4);
        try (RawFtps f = RawFtps.connect(server.port(), TestTls.client(), "TLSv1.2")) {
            f.authTlsAndLogin();
            for (int i = 0; i < 3; i++) {
                assertThat(f.store("t" + i + ".bin", data, false)).startsWith("226");
                assertThat(f.retrieve("t" + i + ".bin")).isEqualTo(data);
            }
            assertThat(new String(f.retrieveListing("NLST"), StandardCharsets.UTF_8)).contains("t2.bin");
        }
    }

    /**
     * TLS 1.3: an upload whose client closes the socket without reading anything lands whole. A session ticket sent
     * on the data connection would sit unread, and closing over unread bytes resets the connection instead of ending
     * it, so the server could not tell the upload was complete (curl and lftp uploads close this way).
     */
    @ParameterizedTest
    @MethodSource("models")
    void tls13UploadsClosedWithoutReadingLandWhole(String model) throws IOException {
        start(model, true, true);
        byte[] data = random(500_000, 9);
        try (RawFtps f = RawFtps.connect(server.port(), TestTls.client(), "TLSv1.3")) {
            f.authTlsAndLogin();
            assertThat(f.control.session().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(f.store("up.bin", data, true)).startsWith("226");
            assertThat(Files.readAllBytes(server.root.resolve("up.bin"))).isEqualTo(data);
        }
    }

    @Test
    void aDataConnectionThatDoesNotResumeTheControlSessionIsRefused() throws IOException {
        start("nio", false, true);
        Files.write(server.root.resolve("secret.bin"), random(100_000, 5));
        try (RawFtps f = RawFtps.connect(server.port(), TestTls.client(), "TLSv1.3")) {
            f.authTlsAndLogin();
            int port = f.pasv();
            f.send("RETR secret.bin");
            assertThat(f.reply()).startsWith("150");
            // A fresh context has no session to resume: a full handshake, then the server drops the connection.
            SSLContext stranger = TestTls.clientContext(TestTls.CERT.certificate());
            byte[] got = RawFtps.readData(port, stranger.createSSLEngine("localhost", server.port()));
            assertThat(got).isEmpty();
            assertThat(f.reply()).startsWith("522");
            assertThat(f.command("NOOP")).startsWith("200"); // the session goes on
        }
    }

    @Test
    void withoutTheReuseRuleAnyTlsDataConnectionIsTaken() throws IOException {
        start("nio", false, false);
        byte[] data = random(100_000, 6);
        Files.write(server.root.resolve("f.bin"), data);
        FTPSClient c = FtpsClients.loggedIn(new FTPSClient("TLS", false), server.port()); // no reuse, TLS 1.3
        try {
            assertThat(retrieve(c, "f.bin")).isEqualTo(data);
        } finally {
            c.disconnect();
        }
    }

    @Test
    void commonsNetWithoutReuseIsRefusedWith522() throws IOException {
        start("nio", false, true);
        Files.write(server.root.resolve("f.bin"), random(1000, 7));
        FTPSClient c = FtpsClients.loggedIn(new FTPSClient("TLS", false), server.port());
        try {
            // The server drops the data connection after the handshake; Commons Net reports the broken copy
            assertThatThrownBy(() -> c.retrieveFile("f.bin", new ByteArrayOutputStream())).isInstanceOf(IOException.class);
            assertThat(c.getReply()).isEqualTo(522);
        } finally {
            c.disconnect();
        }
    }

    @Test
    void tlsRequiredRefusesLoginsBeforeAuthAndTransfersWithoutProtP() throws IOException {
        start("nio", true, true);
        Files.write(server.root.resolve("f.bin"), random(1000, 8));
        FTPClient plain = server.client(false);
        try {
            assertThat(plain.login(FtpTestServer.USER, FtpTestServer.PASSWORD)).isFalse();
            assertThat(plain.getReplyCode()).isEqualTo(530);
        } finally {
            plain.disconnect();
        }
        FTPSClient c = FtpsClients.reusing(false);
        c.setTrustManager(FtpsClients.trust());
        c.connect("127.0.0.1", server.port());
        try {
            assertThat(c.login(FtpTestServer.USER, FtpTestServer.PASSWORD)).isTrue();
            c.enterLocalPassiveMode();
            assertThat(c.retrieveFile("f.bin", new ByteArrayOutputStream())).isFalse();
            assertThat(c.getReplyCode()).isEqualTo(521);
            c.execPBSZ(0);
            assertThat(c.sendCommand("PROT", "C")).isEqualTo(534);
            assertThatThrownBy(c::execCCC).hasMessageContaining("534");
            c.execPROT("P");
            assertThat(retrieve(c, "f.bin")).hasSize(1000);
        } finally {
            c.disconnect();
        }
    }

    @Test
    void smallCommandsAndFeatures() throws IOException {
        start("nio", false, true);
        try (RawFtps f = RawFtps.connect(server.port(), TestTls.client(), "TLSv1.3")) {
            String feat = f.command("FEAT");
            assertThat(feat).contains(" AUTH TLS\r\n").contains(" PBSZ\r\n").contains(" PROT\r\n");
            assertThat(f.command("PBSZ 0")).startsWith("503");
            assertThat(f.command("PROT P")).startsWith("503");
            assertThat(f.command("CCC")).startsWith("533");
            assertThat(f.command("AUTH KERBEROS_V4")).startsWith("504");
            f.authTlsAndLogin();
            assertThat(f.command("AUTH TLS")).startsWith("503");
            assertThat(f.command("PROT P")).startsWith("200"); // PBSZ came with the login above
            assertThat(f.command("PROT S")).startsWith("536");
            assertThat(f.command("CCC")).startsWith("534");
            assertThat(f.command("STAT")).contains("Control connection encrypted (TLS)");
        }
    }

    @Test
    void commandsPipelinedBehindAuthTlsAreDropped() throws IOException {
        start("nio", false, true);
        try (RawFtps f = RawFtps.connect(server.port(), TestTls.client(), "TLSv1.3")) {
            // USER in the same segment as AUTH TLS came before encryption: it must not count as sent over TLS.
            f.send("AUTH TLS\r\nUSER " + FtpTestServer.USER);
            assertThat(f.reply()).startsWith("234");
            f.handshake();
            assertThat(f.command("PASS " + FtpTestServer.PASSWORD)).startsWith("503");
        }
    }

    @Test
    void withoutACertificateAuthIsNotAvailable() throws IOException {
        server = new FtpTestServer("nio", dir);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            RawFtps.readReply(in);
            s.getOutputStream().write("AUTH TLS\r\nFEAT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(RawFtps.readReply(in)).startsWith("502");
            assertThat(RawFtps.readReply(in)).doesNotContain("AUTH").doesNotContain("PROT");
        }
    }

    /**
     * A minimal FTPS client over {@link TlsChannel}: the JDK's SSLEngine made for the control connection's host and
     * port on every connection, so data connections resume the control session from the JDK's client cache.
     */
    static final class RawFtps implements AutoCloseable {
        private static final Pattern EPSV = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)");
        final int port;
        final SSLContext context;
        final String protocol;
        final SocketChannel socket;
        TlsChannel control;
        private final ByteBuffer pending = ByteBuffer.allocate(8192).flip();

        private RawFtps(int port, SSLContext context, String protocol, SocketChannel socket) {
            this.port = port;
            this.context = context;
            this.protocol = protocol;
            this.socket = socket;
        }

        static RawFtps connect(int port, SSLContext context, String protocol) throws IOException {
            RawFtps f = new RawFtps(port, context, protocol, SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
            assertThat(f.reply()).startsWith("220");
            return f;
        }

        private SSLEngine engine() {
            SSLEngine e = context.createSSLEngine("localhost", port);
            e.setUseClientMode(true);
            e.setEnabledProtocols(new String[] {protocol});
            return e;
        }

        void handshake() throws IOException {
            control = new TlsChannel(socket, engine());
            control.handshake();
        }

        void authTlsAndLogin() throws IOException {
            assertThat(command("AUTH TLS")).startsWith("234");
            handshake();
            assertThat(command("USER " + FtpTestServer.USER)).startsWith("331");
            assertThat(command("PASS " + FtpTestServer.PASSWORD)).startsWith("230");
            assertThat(command("PBSZ 0")).startsWith("200");
            assertThat(command("PROT P")).startsWith("200");
            assertThat(command("TYPE I")).startsWith("200");
        }

        private ByteChannel channel() {
            return control != null ? control : socket;
        }

        void send(String line) throws IOException {
            ByteBuffer b = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) channel().write(b);
        }

        String command(String line) throws IOException {
            send(line);
            return reply();
        }

        /** One reply, multi-line ones whole (RFC 959 section 4.2). */
        String reply() throws IOException {
            StringBuilder all = new StringBuilder();
            String first = line();
            all.append(first).append("\r\n");
            if (first.length() > 3 && first.charAt(3) == '-') {
                String end = first.substring(0, 3) + " ";
                for (String l; !(l = line()).startsWith(end); ) all.append(l).append("\r\n");
            }
            return all.toString();
        }

        /** One line, read a byte at a time from what is buffered (nothing past a 234 may be read as plaintext). */
        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                if (!pending.hasRemaining()) {
                    pending.clear().limit(control == null ? 1 : pending.capacity());
                    int n = channel().read(pending);
                    pending.flip();
                    if (n < 0) throw new IOException("control connection closed");
                    continue;
                }
                byte c = pending.get();
                if (c == '\n') return b.toString(StandardCharsets.UTF_8).stripTrailing();
                b.write(c);
            }
        }

        int pasv() throws IOException {
            Matcher m = EPSV.matcher(command("EPSV"));
            assertThat(m.find()).isTrue();
            return Integer.parseInt(m.group(1));
        }

        /** STOR over a TLS data connection; {@code abrupt}: close the socket at once after the data, reading nothing. */
        String store(String name, byte[] data, boolean abrupt) throws IOException {
            int p = pasv();
            send("STOR " + name);
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", p))) {
                assertThat(reply()).startsWith("150");
                TlsChannel t = new TlsChannel(ch, engine());
                t.handshake();
                t.write(ByteBuffer.wrap(data));
                if (!abrupt) t.close();
            }
            return reply();
        }

        byte[] retrieve(String name) throws IOException {
            return retrieveListing("RETR " + name);
        }

        byte[] retrieveListing(String command) throws IOException {
            int p = pasv();
            send(command);
            assertThat(reply()).startsWith("150");
            byte[] got = readData(p, engine());
            assertThat(reply()).startsWith("226");
            return got;
        }

        /** Everything a TLS data connection to {@code port} carries; empty if the server drops it. */
        static byte[] readData(int port, SSLEngine engine) throws IOException {
            engine.setUseClientMode(true);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                TlsChannel t = new TlsChannel(ch, engine);
                ByteBuffer b = ByteBuffer.allocate(64 * 1024);
                try {
                    t.handshake();
                    while (t.read(b.clear()) >= 0) out.write(b.array(), 0, b.position());
                    t.close();
                } catch (IOException dropped) {
                    // refused: the server aborted the connection
                }
            }
            return out.toByteArray();
        }

        static String readReply(InputStream in) throws IOException {
            StringBuilder all = new StringBuilder();
            String first = readLine(in);
            all.append(first).append("\r\n");
            if (first.length() > 3 && first.charAt(3) == '-') {
                String end = first.substring(0, 3) + " ";
                for (String l; !(l = readLine(in)).startsWith(end); ) all.append(l).append("\r\n");
            }
            return all.toString();
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) throw new IOException("closed");
                b.write(c);
            }
            return b.toString(StandardCharsets.UTF_8).stripTrailing();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
