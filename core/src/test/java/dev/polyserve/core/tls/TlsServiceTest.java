package dev.polyserve.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Await;
import dev.polyserve.core.Conn;
import dev.polyserve.core.Engines;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.Service;
import dev.polyserve.core.TestHandlers;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The TLS layer's own paths, on real loopback sockets with the JDK's SSLSocket as the client. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private Server server;

    @TempDir
    Path dir;

    /** Every core model with each provider: the JDK's engines and Conscrypt's under the same layer. */
    static Stream<Arguments> models() {
        return TestTls.providers().stream().flatMap(p -> Engines.availableNames().stream().map(m -> Arguments.of(m, p)));
    }

    static List<TlsProvider> providers() {
        return TestTls.providers();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private int start(String model, Service service) throws IOException {
        server = Server.tcp(0).host("127.0.0.1").model(model).service(service).start();
        return server.localAddress().getPort();
    }

    private static Socket plain(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void aHandshakeThatStallsIsClosedAtTheDeadline(String model, TlsProvider provider) throws Exception {
        int port = start(model, TlsService.of(TestHandlers.echo(), TestTls.server(provider), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT)
                .withHandshakeDeadline(Duration.ofMillis(300)));
        try (Socket s = plain(port)) {
            s.getOutputStream().write(0x16); // the first byte of a ClientHello, then nothing
            assertThat(s.getInputStream().read()).as("closed by the server, no bytes").isEqualTo(-1);
        }
        // (that clients which do finish are served is the conformance suite's business: with a deadline this short,
        // a handshake on a loaded machine could miss it)
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void aPlaintextClientGetsTheReplyAndIsClosed(String model, TlsProvider provider) throws Exception {
        byte[] reply = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        int port = start(model, TlsService.of(TestHandlers.echo(), TestTls.server(provider), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT)
                .withPlaintextReply(reply));
        try (Socket s = plain(port)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(reply);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void alpnIsNegotiatedAndTheHandlerSeesTheSession(TlsProvider provider) throws Exception {
        TlsContext http = TlsContext.of(List.of(TestTls.CERT.certificate()), TestTls.CERT.key(), TlsContext.DEFAULT_PROTOCOLS,
                TlsContext.ALPN_HTTP_1_1, provider);
        assertThat(http.provider()).isEqualTo(provider);
        Service reportsSession = () -> new Handler() {
            @Override
            public void onRead(Conn c, ByteBuffer in) {
                in.position(in.limit());
                TlsConn t = (TlsConn) c;
                boolean boringSsl = t.session().getClass().getName().startsWith("org.conscrypt.");
                c.write(ByteBuffer.wrap((t.applicationProtocol() + " " + t.session().getProtocol() + " "
                        + (boringSsl ? "CONSCRYPT" : "JDK") + "\n")
                        .getBytes(StandardCharsets.US_ASCII)));
            }
        };
        int port = start("nio", TlsService.of(reportsSession, http, ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT));
        try (SSLSocket s = TestTls.over(plain(port))) {
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            p.setServerNames(List.of(new SNIHostName("localhost")));
            s.setSSLParameters(p);
            s.getOutputStream().write('x');
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(line).as("ALPN, protocol, whose session").isEqualTo("http/1.1 TLSv1.3 " + provider);
            assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void onlyTheConfiguredProtocolsAreSpoken(TlsProvider provider) throws Exception {
        int port = start("nio", TlsService.of(TestHandlers.echo(), TestTls.server(provider), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT));
        try (SSLSocket s = TestTls.over(plain(port))) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").contains("_GCM_");
        }
        try (SSLSocket s = TestTls.over(plain(port))) {
            s.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThatThrownBy(s::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    /** A line protocol with a STARTTLS command, as FTP's AUTH TLS: the reply goes out plain, then TLS. */
    private static Service startTlsLines() {
        return () -> new Handler() {
            @Override
            public void onOpen(Conn c) {
                c.write(ByteBuffer.wrap("hello plain\n".getBytes(StandardCharsets.US_ASCII)));
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {
                byte[] b = new byte[in.remaining()];
                in.get(b);
                String s = new String(b, StandardCharsets.US_ASCII);
                TlsConn t = (TlsConn) c;
                if (s.equals("STARTTLS\n")) {
                    c.write(ByteBuffer.wrap("go ahead\n".getBytes(StandardCharsets.US_ASCII)));
                    t.startTls();
                } else {
                    c.write(ByteBuffer.wrap(((t.isSecure() ? "secure: " : "plain: ") + s).getBytes(StandardCharsets.US_ASCII)));
                }
            }
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void aPlaintextConnectionSwitchesToTlsMidStream(String model, TlsProvider provider) throws Exception {
        int port = start(model, TlsService.startLater(startTlsLines(), TestTls.server(provider), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT));
        try (Socket s = plain(port)) {
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(readLine(in)).isEqualTo("hello plain");
            out.write("one\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(in)).isEqualTo("plain: one");
            out.write("STARTTLS\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(in)).isEqualTo("go ahead");
            SSLSocket tls = TestTls.over(s);
            tls.getOutputStream().write("two\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(new DataInputStream(tls.getInputStream()))).isEqualTo("secure: two");
            tls.close();
        }
    }

    /** Reads one line byte by byte, so nothing past it is taken from the stream (the TLS bytes that follow). */
    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("EOF after '" + b + "'");
            b.append((char) c);
        }
        return b.toString();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void aFileIsEncryptedInChunksAndArrivesWholeThenTheConnectionCloses(String model, TlsProvider provider) throws Exception {
        Path file = dir.resolve("big.bin");
        byte[] content = new byte[3 * 1024 * 1024 + 12345]; // several pump rounds past the high-water mark
        new Random(3).nextBytes(content);
        Files.write(file, content);
        ConcurrentLinkedQueue<Throwable> causes = new ConcurrentLinkedQueue<>();
        Service files = () -> new Handler() {
            @Override
            public void onRead(Conn c, ByteBuffer in) {
                in.position(in.limit());
                c.write(ByteBuffer.wrap("head\n".getBytes(StandardCharsets.US_ASCII)));
                try {
                    c.sendFile(FileChannel.open(file, StandardOpenOption.READ), 0, content.length);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                c.write(ByteBuffer.wrap("tail\n".getBytes(StandardCharsets.US_ASCII)));
                c.close();
            }

            @Override
            public void onClose(Conn c, Throwable cause) {
                if (cause != null) causes.add(cause);
            }
        };
        int port = start(model, TlsService.of(files, TestTls.server(provider), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT));
        try (SSLSocket s = TestTls.over(plain(port))) {
            s.getOutputStream().write('x');
            byte[] all = s.getInputStream().readAllBytes(); // to close_notify
            assertThat(all.length).isEqualTo(5 + content.length + 5);
            assertThat(new String(all, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("head\n");
            assertThat(MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOfRange(all, 5, 5 + content.length)))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
            assertThat(new String(all, all.length - 5, 5, StandardCharsets.US_ASCII)).isEqualTo("tail\n");
        }
        assertThat(causes).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void reloadServesTheNewCertificateToNewConnections(TlsProvider provider) throws Exception {
        SelfSignedCertificate first = SelfSignedCertificate.generate(List.of("localhost"), Duration.ofDays(1));
        Path a = dir.resolve("a");
        first.writeTo(a);
        TlsContext ctx = TlsContext.load(a.resolve("cert.pem"), a.resolve("key.pem"), TlsContext.DEFAULT_PROTOCOLS, List.of(), provider);
        assertThat(ctx.provider()).isEqualTo(provider);
        int port = start("nio", TlsService.of(TestHandlers.echo(), ctx, ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT));
        SSLSocket old = (SSLSocket) TestTls.clientContext(first.certificate()).getSocketFactory()
                .createSocket(plain(port), "localhost", port, true);
        old.startHandshake();

        SelfSignedCertificate second = SelfSignedCertificate.generate(List.of("localhost"), Duration.ofDays(1));
        Path b = dir.resolve("b");
        second.writeTo(b);
        Files.copy(b.resolve("cert.pem"), a.resolve("cert.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(b.resolve("key.pem"), a.resolve("key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(ctx.reload()).isTrue();
        try (SSLSocket fresh = (SSLSocket) TestTls.clientContext(second.certificate()).getSocketFactory()
                .createSocket(plain(port), "localhost", port, true)) {
            fresh.startHandshake();
            assertThat(fresh.getSession().getPeerCertificates()[0]).isEqualTo(second.certificate());
        }
        // the connection made before the reload is still up, on the old certificate
        old.getOutputStream().write("still\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(old.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("still\n");
        old.close();

        Files.writeString(a.resolve("key.pem"), "garbage");
        assertThat(ctx.reload()).as("a bad file leaves the old configuration serving").isFalse();
        try (SSLSocket again = (SSLSocket) TestTls.clientContext(second.certificate()).getSocketFactory()
                .createSocket(plain(port), "localhost", port, true)) {
            again.startHandshake();
        }
    }

    /**
     * Conscrypt serves an RSA and an EC certificate from PEM files (openssl's), over TLS 1.3 and 1.2, signing with
     * the key as its own BoringSSL object, made once: with the JDK's key object it re-parsed the key on every handshake.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rsa:2048", "ec"})
    void conscryptServesEachKeyTypeWithTheKeyAsItsOwn(String keyType) throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", keyType));
        if (keyType.equals("ec")) command.addAll(List.of("-pkeyopt", "ec_paramgen_curve:prime256v1"));
        command.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"));
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("openssl req finished").isTrue();
        assertThat(openssl.exitValue()).as(output).isZero();

        TlsContext ctx = TlsContext.load(cert, key, TlsContext.DEFAULT_PROTOCOLS, List.of(), TlsProvider.CONSCRYPT);
        assertThat(ctx.provider()).isEqualTo(TlsProvider.CONSCRYPT);
        assertThat(ctx.servedKey().getClass().getName()).as("the key handshakes sign with").startsWith("org.conscrypt.");
        int port = start("nio", TlsService.of(TestHandlers.echo(), ctx, ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT));
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (SSLSocket s = (SSLSocket) TestTls.clientContext(ctx.certificate()).getSocketFactory()
                    .createSocket(plain(port), "localhost", port, true)) {
                s.setEnabledProtocols(new String[] {protocol});
                s.getOutputStream().write("signed\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("signed\n");
                assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
                assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(ctx.certificate());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void manyConnectionsHandshakeAtOnce(TlsProvider provider) throws Exception {
        int port = start("nio", TlsService.of(TestHandlers.echo(), TestTls.server(provider), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT));
        List<SSLSocket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                SSLSocket s = TestTls.over(plain(port));
                s.getOutputStream().write(("n" + i + "\n").getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            for (int i = 0; i < sockets.size(); i++) {
                String expect = "n" + i + "\n";
                assertThat(new String(sockets.get(i).getInputStream().readNBytes(expect.length()), StandardCharsets.US_ASCII))
                        .isEqualTo(expect);
            }
        } finally {
            for (SSLSocket s : sockets) s.close();
        }
        Await.until(WAIT, "every connection closed", () -> server.stats().open() == 0);
    }
}
