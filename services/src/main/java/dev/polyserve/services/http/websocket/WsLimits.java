package dev.polyserve.services.http.websocket;

import java.time.Duration;

/**
 * The bounds every WebSocket connection keeps, with the precedent behind each value. The ones a route may change
 * are fields of {@link WebSocketOptions}; these are their defaults and the fixed protocol bounds.
 */
public final class WsLimits {
    private WsLimits() {}

    /**
     * RFC 6455 section 5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be
     * fragmented."
     */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    /**
     * Largest message a client may send (all its fragments, after inflating), else close 1009. Netty's
     * WebSocketServerProtocolConfig and Jetty stop at 64 KiB, node's ws at 100 MiB; 4 MiB lets a browser upload a
     * photo in one message while a thousand connections mid-message stay within a few GiB.
     */
    public static final int DEFAULT_MAX_MESSAGE = 4 << 20;

    /**
     * Largest single frame, else close 1009: a frame is buffered whole before it is unmasked and checked, so this
     * bounds the buffer a half-sent frame holds. Equal to the message bound by default (an unfragmented message is
     * one frame).
     */
    public static final int DEFAULT_MAX_FRAME = DEFAULT_MAX_MESSAGE;

    /**
     * Bytes that may wait unsent to one peer before {@link WebSocketSession#send} refuses and the connection is
     * closed with 1008 (a peer that stopped reading). Checked before each send, so one message larger than this still
     * goes out on an empty queue; the engine's write queue limit ({@code --write-queue-limit}, 4 MiB) stays the hard
     * backstop above it.
     */
    public static final long DEFAULT_MAX_QUEUED = 1L << 20;

    /**
     * A ping goes out after this long without a byte from the peer; a peer that answers nothing for another such
     * period is gone and the connection is dropped. 30 s stays inside the 60 s idle timeouts of common proxies
     * (nginx's proxy_read_timeout, AWS ALB), as Socket.IO's 25 s ping interval and Tomcat's 30 s do.
     */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);

    /**
     * After sending a close frame, how long to wait for the peer's close frame before closing the TCP connection
     * anyway (RFC 6455 section 7.1.1 leaves the time to the server; Jetty and Tomcat wait 5 s).
     */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** Longest Sec-WebSocket-Key value accepted: the key is 16 random bytes in base64, exactly 24 characters. */
    static final int KEY_LENGTH = 24;
}
