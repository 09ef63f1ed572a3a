package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.tls.TestTls;
import dev.polyserve.core.tls.TlsContext;
import dev.polyserve.core.tls.TlsProvider;
import dev.polyserve.core.tls.TlsService;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** HTTPS: the HTTP service behind the TLS layer on every model, with the JDK HttpClient as the browser. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HttpsServerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int TEN_MIB = 10 << 20;
    private static final TlsContext TLS = tls(TlsProvider.JDK);

    private static TlsContext tls(TlsProvider provider) {
        TlsContext c = TlsContext.of(List.of(TestTls.CERT.certificate()), TestTls.CERT.key(), TlsContext.DEFAULT_PROTOCOLS,
                TlsContext.ALPN_HTTP_1_1, provider);
        assertThat(c.provider()).isEqualTo(provider);
        return c;
    }

    @TempDir
    static Path root;

    private final List<Server> servers = new ArrayList<>();
    private HttpClient client;

    /** Every model on the JDK's TLS, and on Conscrypt's (BoringSSL). */
    static Stream<Arguments> models() {
        return TestTls.providers().stream().flatMap(p -> Engines.availableNames().stream().map(m -> Arguments.of(m, p)));
    }

    @AfterEach
    void stop() {
        if (client != null) client.close(); // the iterative model serves one connection at a time
        servers.forEach(s -> s.stop(Duration.ofSeconds(2)));
    }

    private Server https(String model, ServerStats stats) throws IOException {
        return https(model, stats, TLS);
    }

    private Server https(String model, ServerStats stats, TlsContext tls) throws IOException {
        if (!Files.exists(root.resolve("ten.bin"))) {
            byte[] big = new byte[TEN_MIB];
            new Random(10).nextBytes(big);
            Files.write(root.resolve("ten.bin"), big);
            Files.writeString(root.resolve("hello.txt"), "Hello over TLS\n");
        }
        HttpService http = new HttpService(new HttpApp().staticFiles(root),
                HttpOptions.defaults().withHsts(Duration.ofDays(365)), stats);
        Server s = Server.tcp(0).host("127.0.0.1").model(model).stats(stats)
                .service(TlsService.of(http, tls, ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT).withPlaintextReply(Https.plaintextReply()))
                .start();
        servers.add(s);
        return s;
    }

    private HttpResponse<byte[]> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(WAIT);
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void filesRangesAndKeepAliveOverTls(String model, TlsProvider provider) throws Exception {
        ServerStats stats = new ServerStats();
        int port = https(model, stats, tls(provider)).localAddress().getPort();
        // Asks for HTTP/2 first, as browsers do: ALPN settles on http/1.1, the only protocol the server offers.
        client = HttpClient.newBuilder().sslContext(TestTls.client()).version(HttpClient.Version.HTTP_2)
                .connectTimeout(WAIT).build();

        var hello = get(port, "/hello.txt");
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(new String(hello.body(), US_ASCII)).isEqualTo("Hello over TLS\n");
        assertThat(hello.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");

        var range = get(port, "/ten.bin", "Range", "bytes=1000-1009");
        assertThat(range.statusCode()).isEqualTo(206);
        byte[] expected = Files.readAllBytes(root.resolve("ten.bin"));
        assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(expected, 1000, 1010));

        var whole = get(port, "/ten.bin");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body().length).isEqualTo(TEN_MIB);
        assertThat(MessageDigest.getInstance("SHA-256").digest(whole.body()))
                .as("10 MiB byte-identical").isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected));

        assertThat(get(port, "/hello.txt").statusCode()).isEqualTo(200);
        assertThat(stats.accepted()).as("four requests, one kept-alive TLS connection").isEqualTo(1);
    }

    @Test
    void plainHttpOnTheTlsPortGetsA400SayingSo() throws Exception {
        int port = https("nio", new ServerStats()).localAddress().getPort();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), US_ASCII);
            assertThat(reply).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("This port speaks HTTPS");
        }
    }

    @Test
    void theRedirectListenerSendsEveryRequestToHttpsWithA308() throws Exception {
        int httpsPort = https("nio", new ServerStats()).localAddress().getPort();
        HttpApp redirect = Https.redirectApp(CompletableFuture.completedFuture(httpsPort), "localhost");
        Server plain = Server.tcp(0).host("127.0.0.1").model("nio")
                .service(new HttpService(redirect, HttpOptions.defaults(), new ServerStats())).start();
        servers.add(plain);
        client = HttpClient.newBuilder().sslContext(TestTls.client()).followRedirects(HttpClient.Redirect.ALWAYS)
                .connectTimeout(WAIT).build();
        int port = plain.localAddress().getPort();
        var noFollow = HttpClient.newBuilder().connectTimeout(WAIT).build();
        try (noFollow) {
            var r = noFollow.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/a/b.txt?x=1&y=2"))
                    .POST(HttpRequest.BodyPublishers.ofString("kept")).timeout(WAIT).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(r.statusCode()).isEqualTo(308);
            assertThat(r.headers().firstValue("Location")).hasValue("https://localhost:" + httpsPort + "/a/b.txt?x=1&y=2");
            assertThat(r.headers().firstValue("Strict-Transport-Security")).as("never over plain HTTP").isEmpty();
        }
        // a client that follows it lands on the file over TLS
        var followed = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hello.txt")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(followed.statusCode()).isEqualTo(200);
        assertThat(followed.uri().getScheme()).isEqualTo("https");
        assertThat(followed.body()).isEqualTo("Hello over TLS\n");
        // a Host it cannot trust is replaced by the configured name
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a/b@evil\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), US_ASCII);
            assertThat(reply).startsWith("HTTP/1.1 308").contains("Location: https://localhost:" + httpsPort + "/x\r\n");
        }
    }
}
