package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.ServerStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection state machine without sockets or waiting: bytes in, bytes out, a clock the test moves. */
class HttpConnectionHandlerTest {
    private final AtomicLong now = new AtomicLong();
    private final FakeConn conn = new FakeConn();
    private HttpConnectionHandler handler;
    private HttpService service;

    @BeforeEach
    void open() {
        HttpApp app = new HttpApp().bundledSite();
        app.post("/echo", HttpApp.Dispatch.EVENT_LOOP, req -> Response.text(req.bodyText()));
        HttpOptions opts = HttpOptions.defaults().withHeaderTimeout(Duration.ofSeconds(20)).withKeepAliveTimeout(Duration.ofSeconds(15));
        service = new HttpService(app, opts, new ServerStats());
        service.setClock(now::get);
        handler = (HttpConnectionHandler) service.newHandler();
        handler.onOpen(conn);
    }

    private void send(String s) {
        handler.onRead(conn, ByteBuffer.wrap(s.getBytes(ISO_8859_1)));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
        conn.fireTimers();
    }

    @Test
    void headerDeadlineGives408AndLingers() {
        send("GET / HTTP/1.1\r\nHost: x\r\n");
        advance(Duration.ofSeconds(19));
        assertThat(conn.output()).isEmpty();
        assertThat(conn.timers).as("the early timer re-armed itself for the rest").hasSize(1);
        advance(Duration.ofSeconds(1));
        assertThat(conn.output()).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("Connection: close\r\n");
        assertThat(conn.open).as("lingering: still reading what the client sends").isTrue();
        send("more junk");
        handler.onReadEnd(conn);
        assertThat(conn.open).isFalse();
    }

    @Test
    void idleKeepAliveClosesSilently() {
        send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(conn.output()).startsWith("HTTP/1.1 200 OK");
        int answered = conn.output().length();
        advance(Duration.ofSeconds(14));
        assertThat(conn.open).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(conn.open).isFalse();
        assertThat(conn.output()).hasSize(answered);
    }

    @Test
    void aKeepAliveConnectionWhoseResponseTheKernelStillHoldsIsNotIdle() {
        send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        conn.unacknowledged = 5_000; // the socket's send buffer took it, the client has not acknowledged it
        advance(Duration.ofSeconds(15));
        assertThat(conn.open).as("still on its way: the send-rate watch judges this client").isTrue();
        assertThat(conn.timers).as("the keep-alive deadline re-armed").hasSize(1);
        conn.unacknowledged = 0;
        advance(Duration.ofSeconds(15));
        assertThat(conn.open).as("delivered, then idle for the keep-alive timeout").isFalse();
    }

    @Test
    void withoutTheSendRateWatchTheKeepAliveTimeoutClosesWhateverTheKernelHolds() {
        HttpService unwatched = new HttpService(new HttpApp().bundledSite(),
                HttpOptions.defaults().withKeepAliveTimeout(Duration.ofSeconds(15)).withSendRate(null), new ServerStats());
        unwatched.setClock(now::get);
        FakeConn c = new FakeConn();
        HttpConnectionHandler h = (HttpConnectionHandler) unwatched.newHandler();
        h.onOpen(c);
        h.onRead(c, ByteBuffer.wrap("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(ISO_8859_1)));
        c.unacknowledged = 5_000;
        now.addAndGet(Duration.ofSeconds(15).toNanos());
        c.fireTimers();
        assertThat(c.open).as("nothing else would ever end it").isFalse();
    }

    @Test
    void aNewRequestOnAKeepAliveConnectionGetsAFreshHeaderDeadline() {
        send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        advance(Duration.ofSeconds(10));
        send("GET /hello.txt HTTP/1.1\r\n");
        advance(Duration.ofSeconds(10));
        assertThat(conn.open).as("10 s into a 20 s header deadline").isTrue();
        advance(Duration.ofSeconds(10));
        assertThat(conn.output()).contains("408 Request Timeout");
    }

    @Test
    void aSlowBodyPinsWhatArrivedNotItsContentLength() {
        // slowhttptest -B: a head announcing a large body, then a few bytes now and then.
        send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab");
        assertThat(handler.bodyBufferBytes()).isEqualTo(HttpConnectionHandler.INITIAL_BODY_BUFFER);
        send("c".repeat(HttpConnectionHandler.INITIAL_BODY_BUFFER));
        assertThat(handler.bodyBufferBytes()).isLessThanOrEqualTo(2 * (HttpConnectionHandler.INITIAL_BODY_BUFFER + 2));
        assertThat(conn.output()).isEmpty();
    }

    @Test
    void aBodyArrivingWholeIsAnsweredWhole() {
        String body = "x".repeat(3 * HttpConnectionHandler.INITIAL_BODY_BUFFER + 5);
        send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n");
        for (int i = 0; i < body.length(); i += 1000) send(body.substring(i, Math.min(body.length(), i + 1000)));
        assertThat(conn.output()).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\n" + body);
    }

    @Test
    void continueIsSentBeforeTheBodyIsRead() {
        send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        assertThat(conn.output()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        send("abc");
        assertThat(conn.output()).contains("HTTP/1.1 200 OK").endsWith("\r\n\r\nabc");
    }

    @Test
    void pipelinedRequestsAnsweredInOrderThenClosedAtEof() {
        send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n2");
        handler.onReadEnd(conn);
        String out = conn.output();
        assertThat(out.indexOf("\r\n\r\n1")).isLessThan(out.indexOf("\r\n\r\n2"));
        assertThat(conn.open).isFalse();
    }

    @Test
    void pipelinedResponsesLeaveInOneWrite() {
        send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n".repeat(50));
        assertThat(conn.output().split("HTTP/1.1 200 OK", -1)).hasSize(51);
        assertThat(conn.writes).as("fifty small responses gathered into one buffer").isEqualTo(1);
    }

    @Test
    void http09RequestLineIsRefusedAtOnce() {
        send("GET /hello.txt\r\n");
        assertThat(conn.output()).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("HTTP/0.9");
    }

    @Test
    void malformedRequestLineIsRefusedBeforeTheHeadEnds() {
        send("GET  / HTTP/1.1\r\nHost: x\r\n");
        assertThat(conn.output()).startsWith("HTTP/1.1 400 Bad Request\r\n");
        send("GET / HTTP/2.0\r\n");
        FakeConn other = new FakeConn();
        HttpConnectionHandler h = (HttpConnectionHandler) service.newHandler();
        h.onOpen(other);
        h.onRead(other, ByteBuffer.wrap("GET / HTTP/2.0\r\n".getBytes(ISO_8859_1)));
        assertThat(other.output()).startsWith("HTTP/1.1 505 ");
    }

    @Test
    void http10IsAnsweredAsHttp11WithItsKeepAliveRules() {
        send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(conn.output()).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: keep-alive\r\n");
        assertThat(conn.open).isTrue();
        send("GET /hello.txt HTTP/1.0\r\n\r\n");
        assertThat(conn.output().substring(conn.output().lastIndexOf("HTTP/1.1 200"))).contains("Connection: close\r\n");
        assertThat(conn.open).as("a 1.0 request without keep-alive ends the connection").isFalse();
    }

    @Test
    void lingeringCloseEndsAfterOneQuietSecond() {
        send("BAD\r\n\r\n");
        assertThat(conn.output()).startsWith("HTTP/1.1 400");
        advance(Duration.ofMillis(900));
        assertThat(conn.open).isTrue();
        send("still sending");
        advance(Duration.ofMillis(900));
        assertThat(conn.open).as("bytes arrived 0.9 s ago: keep draining").isTrue();
        advance(HttpLimits.LINGER_QUIET);
        assertThat(conn.open).as("a quiet second ends the linger").isFalse();
    }

    @Test
    void lingeringCloseHasAHardBound() {
        send("BAD\r\n\r\n");
        for (int i = 0; i < 20 && conn.open; i++) {
            send("x");
            advance(Duration.ofMillis(500));
        }
        assertThat(conn.open).isFalse();
        assertThat(now.get()).isLessThanOrEqualTo(HttpLimits.LINGER_MAX.toNanos() + Duration.ofMillis(500).toNanos());
    }

    @Test
    void slowBodyGets408AfterAWindowBelowTheRate() {
        // The default rate: 500 B/s over 20 s, so a window must bring 10,000 bytes or the rest of the body.
        send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + "a".repeat(10));
        advance(Duration.ofSeconds(10));
        send("b".repeat(5000));
        advance(Duration.ofSeconds(10));
        assertThat(conn.output()).as("5,010 bytes in the first 20 s").startsWith("HTTP/1.1 408 Request Timeout")
                .contains("too slowly");
    }

    @Test
    void bodyAtTheRateIsAccepted() {
        send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 25000\r\n\r\n");
        for (int i = 0; i < 2; i++) {
            send("c".repeat(10_000));
            advance(Duration.ofSeconds(20));
        }
        assertThat(conn.output()).as("two windows at the rate").isEmpty();
        send("c".repeat(5_000));
        assertThat(conn.output()).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void shortBodyMustJustFinishWithinTheWindow() {
        send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
        advance(Duration.ofSeconds(20));
        assertThat(conn.output()).startsWith("HTTP/1.1 408");
    }

    @Test
    void sendRateIsHandedToTheConnection() {
        assertThat(conn.sendRate).isEqualTo(HttpLimits.DEFAULT_SEND_RATE);
    }

    @Test
    void oneAddressIsCappedAndReleasedOnClose() {
        HttpService capped = new HttpService(new HttpApp().bundledSite(), HttpOptions.defaults().withMaxPerAddress(2), new ServerStats());
        FakeConn[] conns = {new FakeConn(), new FakeConn(), new FakeConn()};
        HttpConnectionHandler[] hs = new HttpConnectionHandler[3];
        for (int i = 0; i < 3; i++) {
            hs[i] = (HttpConnectionHandler) capped.newHandler();
            hs[i].onOpen(conns[i]);
        }
        assertThat(conns[0].output()).isEmpty();
        assertThat(conns[2].output()).startsWith("HTTP/1.1 503 Service Unavailable").contains("Too many connections");
        hs[0].onClose(conns[0], null);
        hs[2].onClose(conns[2], null);
        FakeConn next = new FakeConn();
        capped.newHandler().onOpen(next);
        assertThat(next.output()).as("a slot freed").isEmpty();
        FakeConn elsewhere = new FakeConn();
        elsewhere.remote = new java.net.InetSocketAddress("127.0.0.2", 40000);
        capped.newHandler().onOpen(elsewhere);
        assertThat(elsewhere.output()).isEmpty();
    }

    @Test
    void errorPagesWearTheSiteStyle() {
        send("GET /no-such-file HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(conn.output()).startsWith("HTTP/1.1 404").contains("<style>").contains("linear-gradient")
                .contains("No such file: /no-such-file");
    }

    @Test
    void headResponseHasNoBody() {
        send("HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(conn.output()).contains("Content-Length: 22\r\n").endsWith("\r\n\r\n");
    }
}
