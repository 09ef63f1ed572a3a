package dev.polyserve.services.http.websocket;

import static dev.polyserve.services.http.websocket.WsDriver.frame;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import dev.polyserve.services.http.DemoApi;
import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.HttpOptions;
import dev.polyserve.services.http.HttpService;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * WebSocket over real loopback sockets: the JDK's {@code java.net.http.WebSocket} on every model the class path
 * offers, and a raw-socket client for each protocol violation and the close code it earns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Map<String, Server> servers = new HashMap<>();
    /** Close codes the server side heard, for the close-handshake checks. */
    private final LinkedBlockingQueue<Integer> serverCloses = new LinkedBlockingQueue<>();
    private HttpClient client;

    static List<String> models() {
        return Engines.availableNames();
    }

    @BeforeEach
    void newClient() {
        client = HttpClient.newBuilder().connectTimeout(WAIT).build();
        serverCloses.clear();
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @AfterAll
    void tearDown() {
        servers.values().forEach(s -> s.stop(Duration.ofSeconds(2)));
    }

    private synchronized InetSocketAddress server(String model) throws Exception {
        Server s = servers.get(model);
        if (s == null) {
            HttpApp app = new HttpApp();
            DemoApi.install(app);
            app.websocket("/ws/app", WebSocketOptions.defaults().withSubprotocols("chat.v2", "chat.v1")
                    .withMaxMessage(64 * 1024).withAllowedOrigins("https://friend.example"), session -> {
                session.onText(t -> {
                    if (t.startsWith("close ")) session.close(Integer.parseInt(t.substring(6)), "asked");
                    else session.send(session.subprotocol() + ":" + t + ":" + session.queryParam("name"));
                });
                session.onClose((code, reason) -> serverCloses.add(code));
            });
            app.websocket("/ws/pinged", WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(200)), session -> { });
            ServerStats stats = new ServerStats();
            s = Server.tcp(0).model(model).stats(stats).service(new HttpService(app, HttpOptions.defaults(), stats)).start();
            servers.put(model, s);
        }
        return s.localAddress();
    }

    private URI ws(String model, String path) throws Exception {
        return URI.create("ws://127.0.0.1:" + server(model).getPort() + path);
    }

    /** Collects what a JDK WebSocket receives, joining partial messages as an application would. */
    static final class Received implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            messages.add("pong:" + new String(b, UTF_8));
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.completeExceptionally(error);
        }

        Object next() throws InterruptedException {
            Object o = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(o).as("a message within " + WAIT).isNotNull();
            return o;
        }
    }

    private WebSocket connect(URI uri, Received r, String... subprotocols) throws Exception {
        WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(WAIT);
        if (subprotocols.length > 0) b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        return b.buildAsync(uri, r).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- the JDK client on every model --------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("models")
    void echoTextBinaryFragmentsPingAndClose(String model) throws Exception {
        Received r = new Received();
        WebSocket w = connect(ws(model, "/ws/echo"), r);
        w.sendText("héllo, wörld", true).get();
        assertThat(r.next()).isEqualTo("héllo, wörld");

        byte[] big = new byte[1 << 20];
        new Random(13).nextBytes(big);
        w.sendBinary(ByteBuffer.wrap(big), true).get();
        assertThat((byte[]) r.next()).isEqualTo(big);

        // One message in three fragments, a ping between two of them.
        w.sendText("frag", false).get();
        w.sendPing(ByteBuffer.wrap("p1".getBytes(UTF_8))).get();
        w.sendText("ment", false).get();
        w.sendText("ed €", true).get();
        assertThat(r.next()).isEqualTo("pong:p1");
        assertThat(r.next()).isEqualTo("fragmented €");

        w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get();
        assertThat(r.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the server echoes the close code").isEqualTo(1000);
    }

    @ParameterizedTest
    @MethodSource("models")
    void subprotocolQueryAndServerInitiatedClose(String model) throws Exception {
        Received r = new Received();
        WebSocket w = connect(ws(model, "/ws/app?name=ann"), r, "chat.v1", "chat.v2");
        assertThat(w.getSubprotocol()).as("the server's preference wins").isEqualTo("chat.v2");
        w.sendText("hi", true).get();
        assertThat(r.next()).isEqualTo("chat.v2:hi:ann");
        w.sendText("close 4001", true).get();
        assertThat(r.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(4001);
        // The JDK client answers the close itself once onClose returns; the server hears its own code.
        assertThat(serverCloses.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(4001);
    }

    @ParameterizedTest
    @MethodSource("models")
    void aMessageOverTheLimitIs1009(String model) throws Exception {
        Received r = new Received();
        WebSocket w = connect(ws(model, "/ws/app"), r, "chat.v1");
        w.sendText("x".repeat(64 * 1024 + 1), true);
        assertThat(r.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1009);
        assertThat(serverCloses.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1009);
        w.abort();
    }

    /** wss: the WebSocket rides the HTTP connection above the TLS layer, so it needs nothing of its own. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"nio", "virtual"})
    void echoOverTls(String model) throws Exception {
        dev.polyserve.core.tls.TlsContext tls = dev.polyserve.core.tls.TlsContext.of(
                List.of(dev.polyserve.core.tls.TestTls.CERT.certificate()), dev.polyserve.core.tls.TestTls.CERT.key(),
                dev.polyserve.core.tls.TlsContext.DEFAULT_PROTOCOLS, dev.polyserve.core.tls.TlsContext.ALPN_HTTP_1_1);
        ServerStats stats = new ServerStats();
        HttpService http = new HttpService(DemoApi.install(new HttpApp()), HttpOptions.defaults(), stats);
        Server s = Server.tcp(0).host("127.0.0.1").model(model).stats(stats)
                .service(dev.polyserve.core.tls.TlsService.of(http, tls, dev.polyserve.core.ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT))
                .start();
        try (HttpClient secure = HttpClient.newBuilder().sslContext(dev.polyserve.core.tls.TestTls.client()).connectTimeout(WAIT).build()) {
            Received r = new Received();
            WebSocket w = secure.newWebSocketBuilder().buildAsync(
                    URI.create("wss://localhost:" + s.localAddress().getPort() + "/ws/echo"), r).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            w.sendText("over TLS", true).get();
            assertThat(r.next()).isEqualTo("over TLS");
            byte[] big = new byte[256 * 1024];
            new Random(7).nextBytes(big);
            w.sendBinary(ByteBuffer.wrap(big), true).get();
            assertThat((byte[]) r.next()).isEqualTo(big);
            w.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
            assertThat(r.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1000);
        } finally {
            s.stop(Duration.ofSeconds(2));
        }
    }

    // ---- the handshake, raw -----------------------------------------------------------------------------------

    @Test
    void handshakeAnswers() throws Exception {
        InetSocketAddress a = server("nio");
        try (RawWs c = new RawWs(a)) {
            c.send(RawWs.request("/ws/echo"));
            RawWs.Head h = c.head();
            assertThat(h.statusLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
            // RFC 6455 section 1.3's example key and accept value.
            assertThat(h.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(h.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(h.header("Sec-WebSocket-Protocol")).isNull();
            assertThat(h.header("Sec-WebSocket-Extensions")).isNull();
        }
        assertThat(status(a, "GET /ws/echo HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(426);
        assertThat(status(a, RawWs.request("/ws/echo").replace("Version: 13", "Version: 8"))).isEqualTo(426);
        assertThat(status(a, RawWs.request("/ws/echo").replace(RawWs.KEY, "c2hvcnQ="))).isEqualTo(400);
        assertThat(status(a, RawWs.request("/ws/echo", "Origin: https://evil.example"))).isEqualTo(403);
        assertThat(status(a, RawWs.request("/ws/echo", "Origin: http://127.0.0.1"))).as("same origin").isEqualTo(101);
        assertThat(status(a, RawWs.request("/ws/app", "Origin: https://friend.example"))).as("allowed").isEqualTo(101);
        assertThat(status(a, RawWs.request("/ws/echo", "Origin: null"))).isEqualTo(403);
        assertThat(status(a, RawWs.request("/ws/echo").replace("GET", "POST"))).isEqualTo(400);
    }

    private static int status(InetSocketAddress a, String request) throws Exception {
        try (RawWs c = new RawWs(a)) {
            return c.send(request).head().status();
        }
    }

    @Test
    void framesRightBehindTheRequestAreNotLost() throws Exception {
        try (RawWs c = new RawWs(server("nio"))) {
            c.send(WsDriver.concat(RawWs.request("/ws/echo").getBytes(UTF_8), WsDriver.text("early")));
            assertThat(c.head().status()).isEqualTo(101);
            assertThat(new String(c.frame().payload(), UTF_8)).isEqualTo("early");
        }
    }

    // ---- protocol violations, raw: each gets its close code, then the server closes ---------------------------

    static List<Object[]> violations() {
        byte[] unmasked = frame(WsFrames.TEXT, true, false, "x".getBytes(UTF_8), null);
        byte[] rsv2 = WsDriver.text("x");
        rsv2[0] |= 0x20;
        return List.of(
                new Object[] {"unmasked frame", unmasked, 1002},
                new Object[] {"reserved bits", rsv2, 1002},
                new Object[] {"reserved opcode", frame(0x3, true, new byte[0]), 1002},
                new Object[] {"long ping", frame(WsFrames.PING, true, new byte[126]), 1002},
                new Object[] {"fragmented ping", frame(WsFrames.PING, false, new byte[1]), 1002},
                new Object[] {"continuation first", frame(WsFrames.CONTINUATION, true, new byte[1]), 1002},
                new Object[] {"bad close code", frame(WsFrames.CLOSE, true, WsFrames.closePayload(1005, "")), 1002},
                new Object[] {"invalid UTF-8", frame(WsFrames.TEXT, true, new byte[] {(byte) 0xc3, 0x28}), 1007},
                new Object[] {"invalid UTF-8 across fragments", WsDriver.concat(frame(WsFrames.TEXT, false, new byte[] {(byte) 0xe2}),
                        frame(WsFrames.CONTINUATION, true, new byte[] {0x28})), 1007},
                new Object[] {"compressed without the extension", frame(WsFrames.TEXT, true, true, new byte[] {1}, WsDriver.MASK), 1002},
                new Object[] {"too big", frame(WsFrames.BINARY, true, new byte[64 * 1024 + 1]), 1009});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void violationGetsItsCloseCode(String what, byte[] wire, int code) throws Exception {
        try (RawWs c = new RawWs(server("nio")).open("/ws/app", "Sec-WebSocket-Protocol: chat.v1")) {
            c.send(wire);
            RawWs.Frame f = c.frame();
            assertThat(f.opcode()).isEqualTo(WsFrames.CLOSE);
            assertThat(f.closeCode()).isEqualTo(code);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void closeWithoutACodeIsAnsweredWithoutOne() throws Exception {
        try (RawWs c = new RawWs(server("nio")).open("/ws/echo")) {
            c.send(frame(WsFrames.CLOSE, true, new byte[0]));
            RawWs.Frame f = c.frame();
            assertThat(f.opcode()).isEqualTo(WsFrames.CLOSE);
            assertThat(f.payload()).isEmpty();
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void idlePeersArePingedThenDropped() throws Exception {
        try (RawWs c = new RawWs(server("nio")).open("/ws/pinged")) {
            RawWs.Frame f = c.frame();
            assertThat(f.opcode()).isEqualTo(WsFrames.PING);
            // Not answering: the next tick finds the ping unanswered and drops the connection.
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawWs c = new RawWs(server("nio")).open("/ws/pinged")) {
            for (int i = 0; i < 3; i++) {
                RawWs.Frame f = c.frame();
                assertThat(f.opcode()).isEqualTo(WsFrames.PING);
                c.send(frame(WsFrames.PONG, true, f.payload()));
            }
        }
    }

    // ---- permessage-deflate ----------------------------------------------------------------------------------

    @Test
    void permessageDeflateBothWays() throws Exception {
        try (RawWs c = new RawWs(server("nio"))) {
            c.send(RawWs.request("/ws/echo", "Sec-WebSocket-Extensions: x-unknown, permessage-deflate; server_max_window_bits=10, "
                    + "permessage-deflate; client_max_window_bits; server_no_context_takeover"));
            RawWs.Head h = c.head();
            assertThat(h.status()).isEqualTo(101);
            assertThat(h.header("Sec-WebSocket-Extensions")).as("the first offer we can keep")
                    .isEqualTo("permessage-deflate; server_no_context_takeover");
            String message = "to be compressed, ".repeat(200);
            Deflater clientSide = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            for (int i = 0; i < 2; i++) {
                byte[] z = WsFrameDecoderTest.compress(clientSide, message + i);
                c.send(frame(WsFrames.TEXT, true, true, z, WsDriver.MASK));
                RawWs.Frame f = c.frame();
                assertThat(f.rsv1()).as("a large echo goes back compressed").isTrue();
                assertThat(f.payload().length).isLessThan(message.length() / 4);
                assertThat(inflate(f.payload())).isEqualTo(message + i);
            }
            c.send(WsDriver.text("small"));
            RawWs.Frame small = c.frame();
            assertThat(small.rsv1()).isFalse();
            assertThat(new String(small.payload(), UTF_8)).isEqualTo("small");
        }
    }

    /** Each server message inflates on its own (server_no_context_takeover). */
    private static String inflate(byte[] payload) throws Exception {
        Inflater inf = new Inflater(true);
        inf.setInput(WsDriver.concat(payload, new byte[] {0, 0, (byte) 0xff, (byte) 0xff}));
        byte[] out = new byte[1 << 16];
        int n = inf.inflate(out);
        inf.end();
        return new String(out, 0, n, UTF_8);
    }
}
