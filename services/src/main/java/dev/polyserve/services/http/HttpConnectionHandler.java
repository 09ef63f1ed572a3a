package dev.polyserve.services.http;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.LogLimiter;
import dev.polyserve.core.MinimumRate;
import dev.polyserve.services.http.websocket.WebSocketUpgrade;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP connection: feeds bytes to the {@link HttpRequestParser}, answers requests strictly in order, keeps the
 * keep-alive rules, sends {@code 100 Continue}, and keeps the deadlines of a slow or idle client:
 * <ul>
 * <li>the whole request head within the header timeout, else 408 (slowloris);
 * <li>a request body at the minimum body rate, judged per window, else 408 (slow POST);
 * <li>an idle keep-alive connection closed after the keep-alive timeout (not idle while the kernel still holds
 * part of the last response unacknowledged, where the engine can tell: the send-rate watch judges that client);
 * <li>responses taken at the minimum send rate, else the connection is aborted (slow read: the engine watches
 * this through {@link Conn#requireSendRate}, also while a close flushes).
 * </ul>
 * Every refusal is a status page plus one log line per connection, rate-limited per client address, then a
 * lingering close (see {@link HttpLimits#LINGER_QUIET}).
 *
 * <p>Pipelining: every request already buffered is parsed and answered in the same round, its response gathered
 * with the others in a {@link ResponseBuffer} that is handed to the connection once at the end of the round, so a
 * burst of pipelined requests costs one vectored write, not one per request. A request whose route runs on a
 * virtual thread stops the round; the requests behind it wait in the parser until its response is out.
 *
 * <p>Upgrade: a request for a WebSocket route that passes the handshake gets its {@code 101} through the same
 * buffer, flushed at once; from then on the connection belongs to the WebSocket handler, and every engine call
 * ({@code onRead}, {@code onIdle}, {@code onShutdown}, {@code onClose}...) is passed on to it. The per-address count
 * and the send-rate watch stay with the connection until it closes.
 *
 * <p>All methods run serialised on the connection's thread or loop (the {@link Handler} contract).
 */
final class HttpConnectionHandler implements Handler {
    private static final Logger log = LoggerFactory.getLogger(HttpConnectionHandler.class);
    /** Refusal log lines: a few per client address a minute, so a flood from one peer cannot fill the log. */
    private static final LogLimiter refusals = new LogLimiter(log, Duration.ofMinutes(1), 5);
    private static final byte[] NO_BODY = new byte[0];
    /** First allocation for a request body: small bodies (forms, JSON) fit, and a trickle pins no more than this. */
    static final int INITIAL_BODY_BUFFER = 16 * 1024;

    private enum Deadline { NONE, HEADER, BODY, KEEP_ALIVE, LINGER }

    private final HttpService service;
    private final HttpRequestParser parser;
    private Conn conn;
    private ResponseBuffer out;
    /** This connection was counted against its address's cap and must be uncounted when it closes. */
    private boolean admitted;

    /** The request being read: its head, and its body so far. */
    private RequestHead head;
    private byte[] body = NO_BODY;
    private int bodyLength;

    /** Every byte read from the peer, for the body rate. */
    private long received;
    /** The body rate's current window: {@link #received} at its start, and the bytes it must see. */
    private long bodyMark;
    private long bodyRequired;

    /** A request was handed to the app and its response is not written yet: stop parsing. */
    private boolean busy;
    /** The peer sent EOF: answer the complete requests already buffered, then close. */
    private boolean peerEnded;
    /** The server is shutting down: the response in hand says close, and nothing more is read. */
    private boolean shuttingDown;
    /** A refusal was sent: drop incoming bytes until the peer closes or goes quiet. */
    private boolean lingering;
    private long lingerBytes;
    private long lingerEndsAt;
    private boolean closed;
    private boolean readingPaused;
    /** Responses already queued past {@link HttpLimits#MAX_QUEUED_RESPONSE_BYTES}: wait for onDrained. */
    private boolean awaitingDrain;
    /** After a 101: the protocol that owns the connection now, or null while it speaks HTTP. */
    private Handler upgraded;

    /** Made once, not per request: most routes answer at once and never call it. */
    private final HttpService.LaterResponse answerLater = this::answerLater;

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
        this.out = new ResponseBuffer(c);
        if (!service.addresses().admit(c.remote())) {
            refusals.info(hostOf(c), "{} refused with 503: already {} connections from this address", c.remote(),
                    service.addresses().max());
            long sent = ResponseWriter.writeError(out, service.serverFields(), 503, "Too many connections from your address at once ("
                    + service.addresses().max() + "); close some and try again.", false);
            record(null, 503, sent);
            out.flush();
            linger();
            return;
        }
        admitted = true;
        MinimumRate sendRate = service.options().sendRate();
        if (sendRate != null) c.requireSendRate(sendRate);
        // A new connection owes us a request head: the header deadline runs from accept, as nginx's does.
        arm(Deadline.HEADER, service.options().headerTimeout());
    }

    @Override
    public void onRead(Conn c, ByteBuffer in) {
        if (upgraded != null) {
            upgraded.onRead(c, in);
            return;
        }
        if (closed) return;
        received += in.remaining();
        if (lingering) {
            lingerBytes += in.remaining();
            in.position(in.limit());
            if (lingerBytes > HttpLimits.LINGER_MAX_BYTES) {
                closeNow();
            } else {
                // Still sending: linger a while longer, up to the hard bound (the timer re-arms itself).
                deadlineAt = Math.min(lingerEndsAt, service.nanoTime() + HttpLimits.LINGER_QUIET.toNanos());
            }
            return;
        }
        if (deadline == Deadline.KEEP_ALIVE && in.hasRemaining()) arm(Deadline.HEADER, service.options().headerTimeout());
        parser.feed(in);
        process();
    }

    @Override
    public void onReadEnd(Conn c) {
        if (upgraded != null) {
            upgraded.onReadEnd(c);
            return;
        }
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
        if (upgraded != null) {
            upgraded.onShutdown(c);
            return;
        }
        shuttingDown = true;
        if (!busy) closeNow();
    }

    @Override
    public void onClose(Conn c, Throwable cause) {
        closed = true;
        disarm();
        body = NO_BODY;
        if (admitted) {
            admitted = false;
            service.addresses().release(c.remote());
        }
        if (upgraded != null) upgraded.onClose(c, cause);
    }

    @Override
    public void onIdle(Conn c) {
        if (upgraded != null) {
            upgraded.onIdle(c);
        } else {
            c.close();
        }
    }

    /** Answers buffered requests, then hands the round's responses to the connection in one go. */
    private void process() {
        try {
            answerBuffered();
        } finally {
            if (!closed) out.flush();
        }
    }

    /** Parses and answers buffered requests until one is in progress, more bytes are needed, or the connection ends. */
    private void answerBuffered() {
        while (!busy && !closed && upgraded == null) {
            if (conn.queuedBytes() + out.pendingBytes() > HttpLimits.MAX_QUEUED_RESPONSE_BYTES && !awaitingDrain) {
                // A pipelining client that does not read its responses: stop answering (and reading) until the
                // queue drains, instead of growing it to the engine's write queue limit.
                out.flush();
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
                    if (head != null && deadline != Deadline.BODY) startBodyWindow();
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
        if (upgraded != null) {
            upgraded.onDrained(c);
        } else if (awaitingDrain && !closed) {
            awaitingDrain = false;
            process();
        }
    }

    private void startRequest(RequestHead h) {
        head = h;
        bodyLength = 0;
        // The head is in: the header deadline is met. The body, if any, is held to the body rate (startBodyWindow).
        disarm();
        if (h.expectContinue() && parser.buffered() == 0) {
            // RFC 9110 section 10.1.1: the client waits for 100 before sending the body. Limits were checked on
            // the head (a too-large Content-Length was refused with 413 instead), so we do want this body.
            ByteBuffer b = out.reserve(ResponseWriter.CONTINUE.length, false);
            b.put(ResponseWriter.CONTINUE);
            out.added(ResponseWriter.CONTINUE.length);
        }
    }

    /** The body is incomplete and no more bytes are buffered: from now, the next window must bring its share. */
    private void startBodyWindow() {
        MinimumRate rate = service.options().bodyRate();
        if (rate == null) return;
        long perWindow = rate.bytesPerWindow();
        // A body shorter than a window's worth just has to be complete within the window.
        long left = head.chunked() ? perWindow : head.contentLength() - bodyLength - parser.buffered();
        bodyMark = received;
        bodyRequired = Math.min(perWindow, Math.max(1, left));
        arm(Deadline.BODY, rate.window());
    }

    private void appendBody(ByteBuffer data) {
        int n = data.remaining();
        if (bodyLength + n > body.length) {
            // Grow with what arrived, never to the announced Content-Length at once: a slow-body client that sends a
            // head and one byte would otherwise pin --max-body bytes per connection (slowhttptest -B at 4,000
            // connections with 100 kB bodies ran a 256 MiB heap out of memory). Doubling keeps copies amortised.
            long grown = Math.max(INITIAL_BODY_BUFFER, (bodyLength + n) * 2L);
            if (head.contentLength() > 0) grown = Math.min(grown, head.contentLength());
            body = Arrays.copyOf(body, (int) Math.min(Math.max(grown, bodyLength + n), Integer.MAX_VALUE - 8));
        }
        data.get(body, bodyLength, n);
        bodyLength += n;
    }

    /** Bytes held for the body being received (its buffer's size), for tests of what a slow body can pin. */
    int bodyBufferBytes() {
        return body.length;
    }

    private void dispatch() {
        RequestHead h = head;
        byte[] b = bodyLength == 0 ? NO_BODY : bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength);
        body = NO_BODY;
        bodyLength = 0;
        head = null;
        busy = true;
        disarm();
        Request req = HttpService.request(h, b, conn.remote(), conn.model());
        HttpApp.WebSocketRoute ws = req == null ? null : service.websocketAt(req.path());
        if (ws != null) {
            upgrade(h, req, ws);
            return;
        }
        Response now = service.respond(h, req, conn, answerLater);
        if (now != null) finish(h, req, now);
    }

    /** A route that ran on a virtual thread answered; on the connection's executor. */
    private void answerLater(RequestHead h, Request req, Response resp) {
        if (closed) {
            ResponseWriter.closeQuietly(resp.body());
            return;
        }
        finish(h, req, resp);
        process();
    }

    /**
     * Answers a request for a WebSocket route: a refusal like any response, or the 101, flushed, and the connection
     * handed to the WebSocket with the bytes already buffered behind the request (its first frames).
     */
    private void upgrade(RequestHead h, Request req, HttpApp.WebSocketRoute route) {
        WebSocketUpgrade handshake = WebSocketUpgrade.handshake(req, route.options());
        if (!handshake.accepted() || shuttingDown) {
            finish(h, req, handshake.accepted() ? Response.error(503, "The server is shutting down.") : handshake.response());
            return;
        }
        ResponseWriter.write(out, service.serverFields(), handshake.response(), true, false, false, false);
        record(h, 101, 0);
        out.flush();
        busy = false;
        disarm();
        if (readingPaused) {
            readingPaused = false;
            conn.resumeReading();
        }
        upgraded = handshake.open(conn, route.endpoint(), parser.takeBuffered());
        if (peerEnded) upgraded.onReadEnd(conn);
    }

    /** Writes the response to the request in hand and decides whether the connection stays open. */
    private void finish(RequestHead h, Request req, Response resp) {
        boolean keepAlive = h.keepAlive() && !resp.wantsClose() && !shuttingDown;
        boolean moreComing = keepAlive && parser.buffered() > 0;
        long sent = ResponseWriter.write(out, service.serverFields(), resp, keepAlive, h.minorVersion() == 0, h.method().equals("HEAD"), moreComing);
        record(h, resp.status(), sent);
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
        refusals.info(hostOf(conn), "{} refused with {}: {}", conn.remote(), e.status(), e.getMessage());
        long sent = ResponseWriter.writeError(out, service.serverFields(), e.status(), e.getMessage(), h != null && h.method().equals("HEAD"));
        record(h, e.status(), sent);
        linger();
    }

    /** Refuses with a timeout status (408) from the timer, outside a processing round. */
    private void refuseLate(String why, String page) {
        refusals.info(hostOf(conn), "{} refused with 408: {}", conn.remote(), why);
        // RFC 9110 section 15.5.9: 408 with "close", since the server decided to close the connection.
        long sent = ResponseWriter.writeError(out, service.serverFields(), 408, page, false);
        record(head, 408, sent);
        out.flush();
        linger();
    }

    /**
     * Closes gracefully after a refusal: keeps reading and dropping what the client still sends, so the close does
     * not reset the connection before the client read the refusal, and closes as soon as the client closes or
     * stays quiet for {@link HttpLimits#LINGER_QUIET} (at most {@link HttpLimits#LINGER_MAX} in all).
     */
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
        lingerEndsAt = service.nanoTime() + HttpLimits.LINGER_MAX.toNanos();
        arm(Deadline.LINGER, HttpLimits.LINGER_QUIET);
    }

    /** Counts the response, and logs it when there is an access log (only then is the client's address formatted). */
    private void record(RequestHead h, int status, long bodyBytes) {
        service.metrics().recordResponse(status, bodyBytes);
        AccessLog accessLog = service.options().accessLog();
        if (accessLog != null) {
            accessLog.log(new AccessLog.Entry(String.valueOf(hostOf(conn)), System.currentTimeMillis(), h == null ? "-" : h.requestLine(), status,
                    bodyBytes, h == null ? null : h.headers().first("Referer"), h == null ? null : h.headers().first("User-Agent")));
        }
    }

    /** The client's address without the port: the key of the per-address log limit and cap, the log's host. */
    private static Object hostOf(Conn c) {
        return c.remote() instanceof InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress().getHostAddress() : String.valueOf(c.remote());
    }

    private void closeNow() {
        if (closed) return;
        out.flush();
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
        switch (deadline) {
            case KEEP_ALIVE -> {
                if (parser.idle() && !busy) {
                    if (service.options().sendRate() != null && conn.unacknowledgedBytes() > 0) {
                        // The socket's send buffer took the last response whole and the client has not taken it all:
                        // still on its way, not idle. Closed now, the socket would stay in the kernel with its unsent
                        // bytes and no deadline (an orphan a slow reader keeps alive by acknowledging a few bytes at
                        // a time); kept open, the send-rate watch judges the client and aborts a slow one.
                        arm(Deadline.KEEP_ALIVE, service.options().keepAliveTimeout());
                        return;
                    }
                    log.debug("{} idle keep-alive connection closed", conn.remote());
                    closeNow();
                }
            }
            case HEADER -> {
                if (!busy && head == null) {
                    refuseLate("request head not complete within " + service.options().headerTimeout(),
                            "The request head did not arrive in time.");
                }
            }
            case BODY -> {
                if (busy || head == null) return;
                long got = received - bodyMark;
                if (got >= bodyRequired) {
                    // Kept the rate: judge the next window from here.
                    disarm();
                    startBodyWindow();
                } else {
                    refuseLate("request body arrived at " + got + " bytes in a window (minimum "
                            + service.options().bodyRate() + ")", "The request body arrived too slowly.");
                }
            }
            case LINGER -> closeNow();
            case NONE -> { }
        }
    }
}
