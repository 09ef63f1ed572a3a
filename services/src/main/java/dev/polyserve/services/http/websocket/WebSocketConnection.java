package dev.polyserve.services.http.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.LogLimiter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection after the 101: the frame decoder, the close handshake, pings, and the {@link WebSocketSession} the
 * application holds. The HTTP connection handler passes every engine call on to it once the upgrade is done.
 *
 * <p>Receiving runs on the connection's serial context (the {@link Handler} contract). Sending may come from any
 * thread (a chat broadcast): every frame is written under this object's lock, so a close frame is the last frame
 * on the wire, and compressed frames leave in the order their shared compression context saw them.
 */
final class WebSocketConnection implements Handler, WebSocketSession {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
    /** Protocol failures: a few lines per client address a minute. */
    private static final LogLimiter failures = new LogLimiter(log, Duration.ofMinutes(1), 5);
    private static final Consumer<String> NO_TEXT = t -> { };
    private static final Consumer<byte[]> NO_BINARY = b -> { };
    private static final CloseListener NO_CLOSE = (code, reason) -> { };

    private final Conn conn;
    private final WebSocketOptions options;
    private final WsFrameDecoder decoder;
    private final PerMessageDeflate deflate;
    private final String subprotocol;
    private final String path;
    private final Function<String, String> query;

    private Consumer<String> onText = NO_TEXT;
    private Consumer<byte[]> onBinary = NO_BINARY;
    private CloseListener onClose = NO_CLOSE;
    private Runnable onShutdown;

    /** A close frame went out: no data frame may follow. Guarded by this, as are the next three. */
    private boolean closeSent;
    private boolean closeReceived;
    /** The code and reason the application hears at the end: the peer's, ours (whichever came first), or 1006. */
    private int endCode = WsFrames.ABNORMAL;
    private String endReason = "";
    /** False from the first close frame either way, or when the connection ended; read from any thread. */
    private volatile boolean open = true;
    /** The application was told (serial context only). */
    private boolean ended;

    /** Bytes received so far, and at the last ping tick. */
    private long received;
    private long receivedAtTick = -1;
    private boolean pingOutstanding;
    private ScheduledFuture<?> pinger;

    WebSocketConnection(Conn conn, WebSocketOptions options, PerMessageDeflate deflate, String subprotocol, String path,
                        Function<String, String> query) {
        this.conn = conn;
        this.options = options;
        this.deflate = deflate;
        this.subprotocol = subprotocol;
        this.path = path;
        this.query = query;
        this.decoder = new WsFrameDecoder(options.maxFrame(), options.maxMessage(), deflate);
    }

    /** The 101 is queued: let the application in, then decode whatever the client sent right behind its request. */
    void start(WebSocketEndpoint endpoint, ByteBuffer early) {
        try {
            endpoint.open(this);
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError vme) throw vme;
            log.warn("WebSocket endpoint {} failed to open for {}", path, conn.remote(), e);
            fail(WsFrames.INTERNAL_ERROR, "server error");
            return;
        }
        schedulePing();
        if (early.hasRemaining()) onRead(conn, early);
    }

    // ---- receiving (the connection's serial context) -------------------------------------------------------------

    @Override
    public void onRead(Conn c, ByteBuffer in) {
        received += in.remaining();
        decoder.feed(in);
        try {
            while (!ended) {
                WsEvent e = decoder.next();
                if (e == WsEvent.NeedData.INSTANCE) return;
                handle(e);
            }
        } catch (WsProtocolException e) {
            failures.info(hostOf(conn), "{} WebSocket {} closed with {}: {}", conn.remote(), path, e.closeCode(), e.getMessage());
            fail(e.closeCode(), e.getMessage());
        }
    }

    private void handle(WsEvent e) {
        switch (e) {
            case WsEvent.Text t -> {
                if (open) deliver(() -> onText.accept(t.text()));
            }
            case WsEvent.Binary b -> {
                if (open) deliver(() -> onBinary.accept(b.data()));
            }
            case WsEvent.Ping p -> sendControl(WsFrames.PONG, p.payload());
            case WsEvent.Pong p -> pingOutstanding = false;
            case WsEvent.Close cl -> peerClosed(cl.code(), cl.reason());
            case WsEvent.NeedData n -> { }
        }
    }

    private void deliver(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException | Error ex) {
            if (ex instanceof VirtualMachineError vme) throw vme;
            log.warn("WebSocket listener on {} failed for {}", path, conn.remote(), ex);
            fail(WsFrames.INTERNAL_ERROR, "server error");
        }
    }

    /** Section 5.5.1: answer a close with a close (echoing its code), then the server closes the TCP connection. */
    private void peerClosed(int code, String reason) {
        open = false;
        synchronized (this) {
            closeReceived = true;
            if (!closeSent) {
                closeSent = true;
                endCode = code;
                endReason = reason;
                conn.write(WsFrames.encode(WsFrames.CLOSE,
                        code == WsFrames.NO_STATUS ? new byte[0] : WsFrames.closePayload(code, "")));
            }
        }
        conn.close();
        end();
    }

    /** _Fail the WebSocket Connection_ (section 7.1.7): a close frame with the code, and close without waiting. */
    private void fail(int code, String reason) {
        sendClose(code, reason);
        conn.close();
        end();
    }

    @Override
    public void onReadEnd(Conn c) {
        // EOF without a close frame (or after ours): nothing more can arrive.
        conn.close();
    }

    @Override
    public void onDrained(Conn c) { }

    @Override
    public void onIdle(Conn c) {
        // Pings keep a live peer's connection moving; idle means pings are off or the peer stopped answering them.
        close(WsFrames.GOING_AWAY, "idle");
    }

    @Override
    public void onShutdown(Conn c) {
        Runnable l = onShutdown;
        if (l == null || ended) {
            close(WsFrames.GOING_AWAY, "server shutting down");
            return;
        }
        try {
            l.run();
        } catch (RuntimeException e) {
            log.warn("WebSocket shutdown listener on {} failed for {}", path, conn.remote(), e);
        }
        close(WsFrames.GOING_AWAY, "server shutting down");   // a no-op if the listener closed it
    }

    @Override
    public void onClose(Conn c, Throwable cause) {
        synchronized (this) {
            closeSent = true;
            open = false;
            if (deflate != null) deflate.end();
        }
        if (pinger != null) pinger.cancel(false);
        end();
    }

    /** Tells the application, once. */
    private void end() {
        if (ended) return;
        ended = true;
        open = false;
        CloseListener l = onClose;
        onClose = NO_CLOSE;
        int code;
        String reason;
        synchronized (this) {
            code = endCode;
            reason = endReason;
        }
        try {
            l.onClose(code, reason);
        } catch (RuntimeException e) {
            log.warn("WebSocket close listener on {} failed for {}", path, conn.remote(), e);
        }
    }

    // ---- pings ---------------------------------------------------------------------------------------------

    private void schedulePing() {
        if (options.pingInterval().isZero() || ended) return;
        pinger = conn.schedule(options.pingInterval(), this::pingTick);
    }

    private void pingTick() {
        if (ended || !conn.isOpen()) return;
        if (received != receivedAtTick) {
            receivedAtTick = received;
            pingOutstanding = false;
        } else if (pingOutstanding) {
            failures.info(hostOf(conn), "{} WebSocket {} dropped: no answer to a ping within {}", conn.remote(), path,
                    options.pingInterval());
            conn.abort();
            return;
        } else {
            sendControl(WsFrames.PING, new byte[0]);
            pingOutstanding = true;
        }
        schedulePing();
    }

    // ---- sending (any thread) ------------------------------------------------------------------------------

    @Override
    public boolean send(String text) {
        return sendMessage(WsFrames.TEXT, text.getBytes(UTF_8));
    }

    @Override
    public boolean send(byte[] data) {
        return sendMessage(WsFrames.BINARY, data);
    }

    @Override
    public boolean sendText(byte[] utf8) {
        return sendMessage(WsFrames.TEXT, utf8);
    }

    @Override
    public void abort() {
        open = false;
        synchronized (this) {
            if (!closeSent) {
                closeSent = true;
                endCode = WsFrames.ABNORMAL;
                endReason = "dropped";
            }
        }
        conn.abort();
    }

    private boolean sendMessage(int opcode, byte[] payload) {
        if (!open) return false;
        if (tooMuchQueued()) return false;
        synchronized (this) {
            if (closeSent) return false;
            if (deflate != null && deflate.worthCompressing(payload.length)) {
                byte[] c = deflate.deflate(payload, 0, payload.length);
                conn.write(WsFrames.encode(opcode, true, true, c, 0, c.length, null));
            } else {
                conn.write(WsFrames.encode(opcode, payload));
            }
        }
        return true;
    }

    private void sendControl(int opcode, byte[] payload) {
        if (tooMuchQueued()) return;
        synchronized (this) {
            if (!closeSent) conn.write(WsFrames.encode(opcode, payload));
        }
    }

    /** A peer that lets this much wait has stopped reading: drop it rather than let its queue grow. */
    private boolean tooMuchQueued() {
        long queued = conn.queuedBytes();
        if (queued <= options.maxQueued()) return false;
        failures.info(hostOf(conn), "{} WebSocket {} dropped: {} bytes wait unread (limit {})", conn.remote(), path,
                queued, options.maxQueued());
        open = false;
        synchronized (this) {
            if (!closeSent) {
                closeSent = true;
                endCode = WsFrames.POLICY_VIOLATION;
                endReason = "peer too slow";
            }
        }
        // Its queue will not drain: a close frame behind it would never be read.
        conn.abort();
        return true;
    }

    @Override
    public void close(int code, String reason) {
        // Then wait for the peer's close frame (section 7.1.2), but not forever.
        if (sendClose(code, reason)) conn.schedule(WsLimits.CLOSE_TIMEOUT, conn::close);
    }

    /** Sends a close frame unless one went out already; true if this call sent it. */
    private boolean sendClose(int code, String reason) {
        open = false;
        synchronized (this) {
            if (closeSent) return false;
            closeSent = true;
            endCode = code;
            endReason = reason;
            conn.write(WsFrames.encode(WsFrames.CLOSE, WsFrames.closePayload(code, reason)));
        }
        return true;
    }

    // ---- the session's other methods ---------------------------------------------------------------------------

    @Override public void onText(Consumer<String> l) { onText = l == null ? NO_TEXT : l; }
    @Override public void onBinary(Consumer<byte[]> l) { onBinary = l == null ? NO_BINARY : l; }
    @Override public void onClose(CloseListener l) { onClose = l == null ? NO_CLOSE : l; }
    @Override public void onShutdown(Runnable l) { onShutdown = l; }
    @Override public boolean isOpen() { return open; }
    @Override public String subprotocol() { return subprotocol; }
    @Override public String path() { return path; }
    @Override public String queryParam(String name) { return query.apply(name); }
    @Override public SocketAddress remote() { return conn.remote(); }
    @Override public long queuedBytes() { return conn.queuedBytes(); }
    @Override public Executor executor() { return conn.executor(); }

    private static Object hostOf(Conn c) {
        return c.remote() instanceof InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress().getHostAddress() : String.valueOf(c.remote());
    }
}
