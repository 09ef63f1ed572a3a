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

    @BeforeEach
    void open() {
        HttpApp app = new HttpApp().bundledSite();
        app.post("/echo", HttpApp.Dispatch.EVENT_LOOP, req -> Response.text(req.bodyText()));
        HttpOptions opts = HttpOptions.defaults().withHeaderTimeout(Duration.ofSeconds(20)).withKeepAliveTimeout(Duration.ofSeconds(15));
        HttpService service = new HttpService(app, opts, new ServerStats());
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
    void headResponseHasNoBody() {
        send("HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(conn.output()).contains("Content-Length: 22\r\n").endsWith("\r\n\r\n");
    }
}
