package dev.polyserve.services.http;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP connection: feeds bytes to the {@link HttpRequestParser}, answers requests strictly in order (a
 * pipelined request waits in the parser's buffer until the response before it is out), keeps the keep-alive
 * rules, sends {@code 100 Continue}, and keeps two deadlines: the whole request head within the header timeout
 * (else 408 and close; slowloris) and an idle keep-alive connection closed after the keep-alive timeout.
 *
 * <p>All methods run serialised on the connection's thread or loop (the {@link Handler} contract).
 */
final class HttpConnectionHandler implements Handler {
    private static final Logger log = LoggerFactory.getLogger(HttpConnectionHandler.class);
    private static final byte[] NO_BODY = new byte[0];

    private enum Deadline { NONE, HEADER, KEEP_ALIVE, LINGER }

    /**
     * After a refusal, how long we keep reading (and dropping) what the client still sends before closing. Closing
     * with unread bytes makes the kernel send a reset, which can destroy the error response before the client reads
     * it; nginx's lingering_close does the same with lingering_timeout 5 s.
     */
    static final Duration LINGER_TIMEOUT = Duration.ofSeconds(5);
    /** The most bytes dropped while lingering: a client still sending a large body is cut off sooner. */
    static final long LINGER_MAX_BYTES = 1L << 20;

    private final HttpService service;
    private final HttpRequestParser parser;
    private Conn conn;

    /** The request being read: its head, and its body so far. */
    private RequestHead head;
    private byte[] body = NO_BODY;
    private int bodyLength;

    /** A request was handed to the app and its response is not written yet: stop parsing. */
    private boolean busy;
    /** The peer sent EOF: answer the complete requests already buffered, then close. */
    private boolean peerEnded;
    /** The server is shutting down: the response in hand says close, and nothing more is read. */
    private boolean shuttingDown;
    /** A refusal was sent: drop incoming bytes until the peer closes or the linger deadline passes. */
    private boolean lingering;
    private long lingerBytes;
    private boolean closed;
    private boolean readingPaused;
    /** Responses already queued past {@link HttpLimits#MAX_QUEUED_RESPONSE_BYTES}: wait for onDrained. */
    private boolean awaitingDrain;

    private Deadline deadline = Deadline.NONE;
    private long deadlineAt;
    /** At most one timer is pending; it re-arms itself when the deadline moved later (no cancel per request). */
    private ScheduledFuture<?> timer;
    private long timerAt;

    HttpConnectionHandler(HttpService service) {
        this.service = service;
        this.parser = new HttpRequestParser(service.options().maxBody());
    }

    @Override
    public void onOpen(Conn c) {
        this.conn = c;
        // A new connection owes us a request head: the header deadline runs from accept, as nginx's does.
        arm(Deadline.HEADER, service.options().headerTimeout());
    }

    @Override
    public void onRead(Conn c, ByteBuffer in) {
        if (closed) return;
        if (lingering) {
            lingerBytes += in.remaining();
            in.position(in.limit());
            if (lingerBytes > LINGER_MAX_BYTES) closeNow();
            return;
        }
        if (deadline == Deadline.KEEP_ALIVE && in.hasRemaining()) arm(Deadline.HEADER, service.options().headerTimeout());
        parser.feed(in);
        process();
    }

    @Override
    public void onReadEnd(Conn c) {
        // Answer whatever complete requests were pipelined before the EOF, then close (process() does, on NeedData).
        peerEnded = true;
        if (lingering) {
            closeNow();
        } else if (!busy) {
            process();
        }
    }

    @Override
    public void onShutdown(Conn c) {
        shuttingDown = true;
        if (!busy) closeNow();
    }

    @Override
    public void onClose(Conn c, Throwable cause) {
        closed = true;
        disarm();
        body = NO_BODY;
    }

    /** Parses and answers buffered requests until one is in progress, more bytes are needed, or the connection ends. */
    private void process() {
        while (!busy && !closed) {
            if (conn.queuedBytes() > HttpLimits.MAX_QUEUED_RESPONSE_BYTES && !awaitingDrain) {
                // A pipelining client that does not read its responses: stop answering (and reading) until the
                // queue drains, instead of growing it to the engine's write queue limit.
                awaitingDrain = true;
                pause();
                if (conn.queuedBytes() > HttpLimits.MAX_QUEUED_RESPONSE_BYTES) return;
                awaitingDrain = false;
            } else if (awaitingDrain) {
                return;
            }
            HttpEvent event;
            try {
                event = parser.next();
            } catch (HttpProtocolException e) {
                refuse(e);
                return;
            }
            switch (event) {
                case RequestHead h -> startRequest(h);
                case HttpEvent.BodyData d -> appendBody(d.data());
                case HttpEvent.EndOfMessage e -> dispatch();
                case HttpEvent.NeedData n -> {
                    if (peerEnded) {
                        closeNow();
                        return;
                    }
                    if (readingPaused) {
                        readingPaused = false;
                        conn.resumeReading();
                    }
                    return;
                }
            }
        }
        if (busy && parser.buffered() > HttpLimits.MAX_PIPELINE_BUFFER) pause();
    }

    private void pause() {
        if (!readingPaused) {
            readingPaused = true;
            conn.pauseReading();
        }
    }

    @Override
    public void onDrained(Conn c) {
        if (awaitingDrain && !closed) {
            awaitingDrain = false;
            process();
        }
    }

    private void startRequest(RequestHead h) {
        head = h;
        bodyLength = 0;
        // The head is in: the header deadline is met. A slow body is bounded by the engine's idle timeout.
        disarm();
        if (h.expectContinue() && parser.buffered() == 0) {
            // RFC 9110 section 10.1.1: the client waits for 100 before sending the body. Limits were checked on
            // the head (a too-large Content-Length was refused with 413 instead), so we do want this body.
            conn.write(ByteBuffer.wrap(ResponseWriter.CONTINUE));
        }
    }

    private void appendBody(ByteBuffer data) {
        int n = data.remaining();
        if (bodyLength + n > body.length) {
            long hint = head.contentLength() > 0 ? head.contentLength() : Math.max(1024, (bodyLength + n) * 2L);
            body = Arrays.copyOf(body, (int) Math.min(Math.max(hint, bodyLength + n), Integer.MAX_VALUE - 8));
        }
        data.get(body, bodyLength, n);
        bodyLength += n;
    }

    private void dispatch() {
        RequestHead h = head;
        byte[] b = bodyLength == 0 ? NO_BODY : bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength);
        body = NO_BODY;
        bodyLength = 0;
        head = null;
        busy = true;
        Request req = HttpService.request(h, b, conn.remote(), conn.model());
        Response now = service.respond(h, req, conn, later -> {
            if (closed) {
                ResponseWriter.closeQuietly(later.body());
                return;
            }
            finish(h, req, later);
            process();
        });
        if (now != null) finish(h, req, now);
    }

    /** Writes the response to the request in hand and decides whether the connection stays open. */
    private void finish(RequestHead h, Request req, Response resp) {
        boolean keepAlive = h.keepAlive() && !resp.wantsClose() && !shuttingDown;
        long sent = ResponseWriter.write(conn, resp, keepAlive, h.minorVersion(), h.method().equals("HEAD"));
        record(h, req == null ? null : req.remoteHost(), resp.status(), sent);
        busy = false;
        if (!keepAlive) {
            closeNow();
            return;
        }
        if (parser.idle()) {
            arm(Deadline.KEEP_ALIVE, service.options().keepAliveTimeout());
        } else {
            // Part of the next request is already here: its head is due within the header timeout from now.
            arm(Deadline.HEADER, service.options().headerTimeout());
        }
    }

    /** A protocol error: the framing is lost, so answer with the status, log it, and close (as h11 and nginx do). */
    private void refuse(HttpProtocolException e) {
        RequestHead h = e.head() != null ? e.head() : head;
        log.info("{} refused with {}: {}", conn.remote(), e.status(), e.getMessage());
        int minor = h == null ? 1 : h.minorVersion();
        long sent = ResponseWriter.writeError(conn, e.status(), e.getMessage(), minor, h != null && h.method().equals("HEAD"));
        record(h, null, e.status(), sent);
        linger();
    }

    /** Closes gracefully after a refusal: see {@link #LINGER_TIMEOUT}. */
    private void linger() {
        if (peerEnded || shuttingDown) {
            closeNow();
            return;
        }
        lingering = true;
        if (readingPaused) {
            readingPaused = false;
            conn.resumeReading();
        }
        arm(Deadline.LINGER, LINGER_TIMEOUT);
    }

    private void record(RequestHead h, String host, int status, long bodyBytes) {
        service.metrics().recordResponse(conn.model(), status, bodyBytes);
        AccessLog accessLog = service.options().accessLog();
        if (accessLog != null) {
            String who = host != null ? host : hostOf(conn);
            accessLog.log(new AccessLog.Entry(who, System.currentTimeMillis(), h == null ? "-" : h.requestLine(), status,
                    bodyBytes, h == null ? null : h.headers().first("Referer"), h == null ? null : h.headers().first("User-Agent")));
        }
    }

    private static String hostOf(Conn c) {
        return c.remote() instanceof java.net.InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress().getHostAddress() : String.valueOf(c.remote());
    }

    private void closeNow() {
        if (closed) return;
        closed = true;
        disarm();
        conn.close();
    }

    // ---- deadlines ----------------------------------------------------------------------------------------

    private void arm(Deadline kind, Duration after) {
        if (after.isZero() || closed || lingering && kind != Deadline.LINGER) {
            deadline = Deadline.NONE;
            return;
        }
        deadline = kind;
        deadlineAt = service.nanoTime() + after.toNanos();
        if (timer == null || timerAt - deadlineAt > 0) {
            if (timer != null) timer.cancel(false);
            timerAt = deadlineAt;
            timer = conn.schedule(after, this::onTimer);
        }
    }

    private void disarm() {
        deadline = Deadline.NONE;
    }

    /** Runs on the connection's executor. */
    void onTimer() {
        timer = null;
        if (deadline == Deadline.NONE || closed) return;
        long left = deadlineAt - service.nanoTime();
        if (left > 0) {
            timerAt = deadlineAt;
            timer = conn.schedule(Duration.ofNanos(left), this::onTimer);
            return;
        }
        if (deadline == Deadline.KEEP_ALIVE && parser.idle() && !busy) {
            log.debug("{} idle keep-alive connection closed", conn.remote());
            closeNow();
        } else if (deadline == Deadline.HEADER && !busy && head == null) {
            log.info("{} refused with 408: request head not complete within {}", conn.remote(), service.options().headerTimeout());
            // RFC 9110 section 15.5.9: 408 with "close", since the server decided to close the connection.
            long sent = ResponseWriter.writeError(conn, 408, "The request head did not arrive in time.", 1, false);
            record(null, null, 408, sent);
            linger();
        } else if (deadline == Deadline.LINGER) {
            closeNow();
        }
    }
}
