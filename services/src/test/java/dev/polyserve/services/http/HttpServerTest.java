package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Await;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP server over real loopback sockets on every model the class path offers: the JDK HttpClient for what a
 * real client does, raw sockets for pipelining, framing and every refusal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpServerTest {
    /** Small, so 413 is cheap to provoke. */
    private static final long MAX_BODY = 4096;
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestSite site;
    private final Map<String, Server> servers = new HashMap<>();
    private final Map<String, Server> impatientServers = new HashMap<>();
    private final Map<String, HttpService> services = new HashMap<>();
    /** Holds /api/slow; each test that uses it installs a fresh one. */
    private final AtomicReference<CountDownLatch> release = new AtomicReference<>(new CountDownLatch(0));
    /**
     * One client per test, closed after it: the iterative model serves one connection at a time, so a pooled
     * keep-alive connection left open would hold the next test's connection in the backlog.
     */
    private HttpClient client;

    static List<String> models() {
        return Engines.availableNames();
    }

    @BeforeAll
    void setUp() throws IOException {
        site = new TestSite();
    }

    @BeforeEach
    void newClient() {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @AfterAll
    void tearDown() throws IOException {
        release.get().countDown();
        servers.values().forEach(s -> s.stop(Duration.ofSeconds(2)));
        impatientServers.values().forEach(s -> s.stop(Duration.ofSeconds(2)));
        site.delete();
    }

    private HttpApp app() {
        HttpApp app = new HttpApp().staticFiles(site.root);
        DemoApi.install(app);
        app.get("/api/users/{id}", HttpApp.Dispatch.EVENT_LOOP, req -> Response.json(Map.of("id", req.pathParam("id"))));
        app.delete("/api/users/{id}", req -> Response.status(204));
        app.get("/api/slow", req -> {
            // Blocks its virtual thread until the test releases it: the connection's loop must stay free.
            if (!release.get().await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) return Response.error(500, "never released");
            return Response.text("released");
        });
        app.get("/api/wait/{ms}", req -> {
            // Finishes after a delay on a virtual thread; pipelined responses after it must still come in order.
            new CountDownLatch(1).await(Long.parseLong(req.pathParam("ms")), TimeUnit.MILLISECONDS);
            return Response.text("waited " + req.pathParam("ms"));
        });
        app.get("/api/boom", HttpApp.Dispatch.EVENT_LOOP, req -> {
            throw new IllegalStateException("route failure on purpose");
        });
        return app;
    }

    private synchronized InetSocketAddress server(String model) throws IOException {
        Server s = servers.get(model);
        if (s == null) {
            ServerStats stats = new ServerStats();
            HttpOptions opts = HttpOptions.defaults().withMaxBody(MAX_BODY);
            HttpService http = new HttpService(app(), opts, stats);
            s = Server.tcp(0).model(model).stats(stats).service(http).start();
            servers.put(model, s);
            services.put(model, http);
        }
        return s.localAddress();
    }

    /** A server with very short header and keep-alive timeouts. */
    private synchronized InetSocketAddress impatientServer(String model) throws IOException {
        Server s = impatientServers.get(model);
        if (s == null) {
            ServerStats stats = new ServerStats();
            HttpOptions opts = HttpOptions.defaults().withHeaderTimeout(SHORT).withKeepAliveTimeout(SHORT);
            s = Server.tcp(0).model(model).stats(stats).service(new HttpService(app(), opts, stats)).start();
            impatientServers.put(model, s);
        }
        return s.localAddress();
    }

    private URI uri(String model, String path) throws IOException {
        InetSocketAddress a = server(model);
        return URI.create("http://127.0.0.1:" + a.getPort() + path);
    }

    private HttpResponse<byte[]> get(String model, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(model, path)).timeout(WAIT);
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), UTF_8);
    }

    // ---- static files with HttpClient ------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("models")
    void staticFileWithValidators(String model) throws Exception {
        var r = get(model, "/hello.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("Hello, world!\n");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        String etag = r.headers().firstValue("ETag").orElseThrow();
        String lastModified = r.headers().firstValue("Last-Modified").orElseThrow();

        var byTag = get(model, "/hello.txt", "If-None-Match", etag);
        assertThat(byTag.statusCode()).isEqualTo(304);
        assertThat(byTag.body()).isEmpty();
        assertThat(byTag.headers().firstValue("ETag")).hasValue(etag);
        assertThat(get(model, "/hello.txt", "If-None-Match", "\"other\", W/" + etag).statusCode()).isEqualTo(304);
        assertThat(get(model, "/hello.txt", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(get(model, "/hello.txt", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(get(model, "/hello.txt", "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @MethodSource("models")
    void rangesAndIfRange(String model) throws Exception {
        var r = get(model, "/data.bin", "Range", "bytes=2-5");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).containsExactly(2, 3, 4, 5);
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 2-5/10");
        assertThat(get(model, "/data.bin", "Range", "bytes=-3").body()).containsExactly(7, 8, 9);
        assertThat(get(model, "/data.bin", "Range", "bytes=8-").body()).containsExactly(8, 9);
        assertThat(get(model, "/data.bin", "Range", "bytes=8-100").body()).containsExactly(8, 9);

        var unsatisfiable = get(model, "/data.bin", "Range", "bytes=10-20");
        assertThat(unsatisfiable.statusCode()).isEqualTo(416);
        assertThat(unsatisfiable.headers().firstValue("Content-Range")).hasValue("bytes */10");

        String etag = get(model, "/data.bin").headers().firstValue("ETag").orElseThrow();
        assertThat(get(model, "/data.bin", "Range", "bytes=0-0", "If-Range", etag).statusCode()).isEqualTo(206);
        var stale = get(model, "/data.bin", "Range", "bytes=0-0", "If-Range", "\"stale\"");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).hasSize(10);
        // Several ranges: multipart/byteranges; overlapping ones merged; too many: the whole file.
        var multi = get(model, "/data.bin", "Range", "bytes=0-1,4-5");
        assertThat(multi.statusCode()).isEqualTo(206);
        String type = multi.headers().firstValue("Content-Type").orElseThrow();
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf('=') + 1);
        String body = new String(multi.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(body).isEqualTo("--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-1/10\r\n\r\n\u0000\u0001"
                + "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 4-5/10\r\n\r\n\u0004\u0005"
                + "\r\n--" + boundary + "--\r\n");
        var merged = get(model, "/data.bin", "Range", "bytes=3-4,0-2");
        assertThat(merged.headers().firstValue("Content-Range")).hasValue("bytes 0-4/10");
        assertThat(get(model, "/data.bin", "Range", "bytes=" + "0-0,2-2,".repeat(9) + "4-4").statusCode()).isEqualTo(200);
        var large = get(model, "/large.bin", "Range", "bytes=0-9,200000-200009");
        assertThat(large.statusCode()).isEqualTo(206);
        assertThat(large.body().length).isGreaterThan(20);
    }

    @ParameterizedTest
    @MethodSource("models")
    void largeFilesGoThroughSendFile(String model) throws Exception {
        byte[] large = TestSite.large();
        // Pipelined after a sendFile body: the next response starts exactly where the file ends. (Raw first: on
        // the iterative model a pooled HttpClient connection would hold the server until the test ends.)
        try (RawClient c = new RawClient(server(model))) {
            c.send("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().body()).isEqualTo(large);
            assertThat(c.read().bodyText()).isEqualTo("Hello, world!\n");
        }
        var r = get(model, "/large.bin");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(large);
        var part = get(model, "/large.bin", "Range", "bytes=100000-250000");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(large, 100000, 250001));
    }

    @ParameterizedTest
    @MethodSource("models")
    void gzipForTextTypesAndPrecompressedFiles(String model) throws Exception {
        var r = get(model, "/style.css", "Accept-Encoding", "br, gzip;q=0.8");
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(r.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        assertThat(gunzip(r.body())).isEqualTo("body { color: black; }\n".repeat(50));
        assertThat(get(model, "/style.css", "Accept-Encoding", "gzip;q=0").headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(get(model, "/style.css").headers().firstValue("Content-Encoding")).isEmpty();

        var pre = get(model, "/big.txt", "Accept-Encoding", "gzip");
        assertThat(gunzip(pre.body())).isEqualTo("PRECOMPRESSED");
        assertThat(text(get(model, "/big.txt"))).startsWith("plain plain");
        // Binary types are never compressed.
        assertThat(get(model, "/data.bin", "Accept-Encoding", "gzip").headers().firstValue("Content-Encoding")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("models")
    void directoriesIndexesAndListings(String model) throws Exception {
        assertThat(text(get(model, "/docs/"))).isEqualTo("<h1>docs index</h1>");
        var redirect = get(model, "/docs");
        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/docs/");

        var listing = get(model, "/files/");
        assertThat(listing.statusCode()).isEqualTo(200);
        String html = text(listing);
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;\\script&gt;.txt").doesNotContain("<script>");
        assertThat(html).contains("href=\"a%20b%26c.txt\"").contains("a b&amp;c.txt");
        assertThat(html).contains("%C3%BCn%C3%AFcode.txt").contains("ünïcode.txt");
        assertThat(text(get(model, "/files/a%20b%26c.txt"))).isEqualTo("y");
        assertThat(text(get(model, "/files/%C3%BCn%C3%AFcode.txt"))).isEqualTo("z");
    }

    @ParameterizedTest
    @MethodSource("models")
    void notFoundAndMethodNotAllowed(String model) throws Exception {
        assertThat(get(model, "/nope.txt").statusCode()).isEqualTo(404);
        var post = client.send(HttpRequest.newBuilder(uri(model, "/hello.txt")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        var put = client.send(HttpRequest.newBuilder(uri(model, "/api/users/7")).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, DELETE");
        assertThat(get(model, "/api/boom").statusCode()).isEqualTo(500);
    }

    // ---- routes ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("models")
    void jsonRoutesWithPathParameters(String model) throws Exception {
        var r = get(model, "/api/users/42");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(text(r)).isEqualTo("{\"id\":\"42\"}");
        assertThat(text(get(model, "/api/hello/w%C3%B6rld"))).isEqualTo("{\"message\":\"hello, wörld\"}");
        assertThat(text(get(model, "/api/time"))).contains("\"model\":\"" + model + "\"");
        var del = client.send(HttpRequest.newBuilder(uri(model, "/api/users/1")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).isEqualTo(204);

        var echo = client.send(HttpRequest.newBuilder(uri(model, "/api/echo")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":[1,2,3]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo("{\"echo\":{\"a\":[1,2,3]}}");
    }

    @ParameterizedTest
    @MethodSource("models")
    void chunkedRequestBodyFromHttpClient(String model) throws Exception {
        byte[] body = "chunk me ".repeat(100).getBytes(UTF_8);
        // An InputStream publisher has no known length, so HttpClient sends Transfer-Encoding: chunked.
        var r = client.send(HttpRequest.newBuilder(uri(model, "/api/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"bytes\":900");
    }

    @ParameterizedTest
    @MethodSource("models")
    void blockingRoutesDoNotStallOtherConnections(String model) throws Exception {
        assumeFalse(model.equals("iterative"), "the iterative model serves one connection at a time by design");
        CountDownLatch latch = new CountDownLatch(1);
        release.set(latch);
        var slow = client.sendAsync(HttpRequest.newBuilder(uri(model, "/api/slow")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        // While /api/slow blocks its virtual thread, other connections are answered.
        try (RawClient c = new RawClient(server(model))) {
            assertThat(c.send("GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(slow.isDone()).isFalse();
        latch.countDown();
        assertThat(slow.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("released");
    }

    @ParameterizedTest
    @MethodSource("models")
    void healthAndMetrics(String model) throws Exception {
        assertThat(text(get(model, "/healthz"))).isEqualTo("{\"status\":\"ok\"}");
        get(model, "/nope");
        var m = get(model, "/metrics");
        assertThat(m.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(text(m))
                .contains("polyserve_connections_open{model=\"" + model + "\"}")
                .contains("polyserve_http_requests_total{model=\"" + model + "\",status=\"404\"}")
                .contains("# TYPE polyserve_bytes_sent_total counter");
    }

    // ---- raw sockets: pipelining, framing, keep-alive --------------------------------------------------------

    @ParameterizedTest
    @MethodSource("models")
    void pipelinedResponsesComeInOrder(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            c.send("GET /api/wait/150 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
                    + "HEAD /1k.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /api/users/9 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("waited 150");
            assertThat(c.read().bodyText()).isEqualTo("Hello, world!\n");
            assertThat(c.read().bodyText()).contains("\"echo\":\"abcde\"");
            var head = c.read(true);
            assertThat(head.header("Content-Length")).isEqualTo("1024");
            assertThat(c.read().bodyText()).isEqualTo("{\"id\":\"9\"}");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void aThousandPipelinedRequestsInOneWriteAreAnsweredInOrder(String model) throws Exception {
        int n = 1000;
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < n; i++) {
            // Alternating a cached static file and an event-loop route, each response telling which request it is.
            burst.append(i % 2 == 0 ? "GET /api/users/" + i : "GET /hello.txt?" + i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try (RawClient c = new RawClient(server(model))) {
            c.send(burst.toString());
            for (int i = 0; i < n; i++) {
                var r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo(i % 2 == 0 ? "{\"id\":\"" + i + "\"}" : "Hello, world!\n");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void clientThatPipelinesWithoutReadingIsPausedNotCutOff(String model) throws Exception {
        // 20,000 responses of ~1.2 KB are far more than the kernel's socket buffers plus the engine's 4 MiB write
        // queue limit: the server must stop answering (and reading) while they are unread, then carry on.
        int n = 20_000;
        String one = "GET /1k.txt HTTP/1.1\r\nHost: x\r\n\r\n";
        InetSocketAddress address = server(model);
        HttpMetrics metrics = services.get(model).metrics();
        long before = metrics.requests(200);
        try (RawClient c = new RawClient(address)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    c.send(one.repeat(n));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // Let responses pile up unread first (the kernel buffers fill, then the server's queue).
            Await.until(WAIT, "responses piling up", () -> metrics.requests(200) - before >= 2000);
            for (int i = 0; i < n; i++) {
                var r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).hasSize(1024);
            }
            writer.join(WAIT.toMillis());
            assertThat(writer.isAlive()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void pipelinedRequestsBeforeEofAreAllAnswered(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            // The first answer comes from a virtual thread, after the EOF has arrived.
            c.send("GET /api/wait/100 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n");
            c.shutdownOutput();
            String all = c.readToEnd();
            assertThat(all).contains("waited 100").contains("Hello, world!").contains("hello, world").endsWith("}");
            assertThat(all.split("HTTP/1.1 200 OK", -1)).hasSize(4);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void headHasLengthButNoBody(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            var r = c.send("HEAD /1k.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("1024");
            // The next response starts right away: the HEAD response really had no body.
            assertThat(c.read().bodyText()).isEqualTo("Hello, world!\n");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void chunkedBodyOverRawSocket(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            var r = c.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: t\r\n\r\n").read();
            assertThat(r.bodyText()).contains("\"echo\":\"Wikipedia\"");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void expectContinue(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            c.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            var r = c.send("ping").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).contains("ping");
        }
        try (RawClient c = new RawClient(server(model))) {
            // Too big: 413 at once, no 100, and the body is never read.
            c.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (MAX_BODY + 1) + "\r\nExpect: 100-continue\r\n\r\n");
            var r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void keepAliveRules(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            var r = c.send("GET /hello.txt HTTP/1.0\r\n\r\n").read();
            // RFC 9110 section 6.2: the server sends its own version (1.1), keeping 1.0's keep-alive rules.
            assertThat(r.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawClient c = new RawClient(server(model))) {
            var r = c.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.header("Connection")).isEqualTo("keep-alive");
            assertThat(c.send("GET /hello.txt HTTP/1.0\r\n\r\n").read().status()).isEqualTo(200);
        }
        try (RawClient c = new RawClient(server(model))) {
            var r = c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    // ---- refusals: every status, then close ------------------------------------------------------------------

    static List<Object[]> refusals() {
        String longLine = "GET /" + "a".repeat(HttpLimits.MAX_REQUEST_LINE) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        String bigHeaders = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(HttpLimits.MAX_HEADER_BYTES) + "\r\n\r\n";
        List<Object[]> cases = List.of(
                new Object[] {"malformed", 400, "GARBAGE\r\n\r\n"},
                new Object[] {"smuggling CL+TE", 400, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
                new Object[] {"conflicting CL", 400, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
                new Object[] {"obs-fold", 400, "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n"},
                new Object[] {"request line", 414, longLine},
                new Object[] {"headers", 431, bigHeaders},
                new Object[] {"body", 413, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"},
                new Object[] {"version", 505, "GET / HTTP/2.0\r\nHost: x\r\n\r\n"},
                // No header section follows a 0.9 request line: answered at once, well before the 20 s header
                // timeout (RawClient's reads give up after 10 s).
                new Object[] {"HTTP/0.9", 400, "GET /hello.txt\r\n"},
                new Object[] {"version before the head ends", 505, "GET / HTTP/3.0\r\n"},
                new Object[] {"coding", 501, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"},
                new Object[] {"expectation", 417, "GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n"});
        return models().stream().flatMap(m -> cases.stream().map(c -> new Object[] {m, c[0], c[1], c[2]})).toList();
    }

    @ParameterizedTest(name = "{0}: {2} for {1}")
    @MethodSource("refusals")
    void protocolErrorsAreAnsweredThenClosed(String model, String what, int status, String request) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            var r = c.send(request).read();
            assertThat(r.status()).as(what).isEqualTo(status);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.header("Content-Type")).startsWith("text/html");
            // Like a real client after "Connection: close"; the server lingers until then (LINGER_TIMEOUT at most).
            c.shutdownOutput();
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void refusedClientStillSendingReadsTheWholeError(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            // 413 is decided on the head; the body that follows must not turn the answer into a reset.
            c.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
            c.send(new byte[100_000]);
            var r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).contains("Content Too Large");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void unknownMethodIs501AndBadPathIs400WithoutClosing(String model) throws Exception {
        try (RawClient c = new RawClient(server(model))) {
            assertThat(c.send("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(501);
            assertThat(c.send("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(400);
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            // absolute-form (RFC 9112 section 3.2.2) and the asterisk form of OPTIONS.
            assertThat(c.send("GET http://x/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n").read().bodyText()).isEqualTo("Hello, world!\n");
            var options = c.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(options.status()).isEqualTo(204);
            assertThat(options.header("Allow")).contains("GET");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void slowHeadersGet408AndClose(String model) throws Exception {
        try (RawClient c = new RawClient(impatientServer(model))) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n");  // and never the empty line
            var r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("Connection")).isEqualTo("close");
            c.shutdownOutput();
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void idleKeepAliveConnectionsAreClosed(String model) throws Exception {
        try (RawClient c = new RawClient(impatientServer(model))) {
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            long start = System.nanoTime();
            // Closed silently (no 408) once idle past the keep-alive timeout; the read's own timeout bounds this.
            assertThat(c.closedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
        }
    }

    private static String gunzip(byte[] b) throws IOException {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }
}
