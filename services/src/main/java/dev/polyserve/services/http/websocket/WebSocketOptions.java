package dev.polyserve.services.http.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The limits and negotiation choices of one WebSocket route.
 *
 * @param maxMessage       largest message a client may send (after inflating), else close 1009
 * @param maxFrame         largest single frame, else close 1009
 * @param maxQueued        bytes that may wait unsent to the peer before {@code send} refuses and the connection is
 *                         dropped with 1008 (a peer that stopped reading)
 * @param pingInterval     ping after this long without a byte from the peer; drop it after another; zero = never
 * @param subprotocols     the subprotocols this route speaks, in the server's order of preference; the first one
 *                         the client also offers is chosen (RFC 6455 section 4.2.2). Empty: none is chosen, and a
 *                         client that offers some still gets a connection without one (section 4.1, the client
 *                         decides whether that is enough)
 * @param allowedOrigins   browsers' Origin values allowed besides the server's own (same host as the Host field);
 *                         {@code "*"} allows any. A request without Origin (not a browser) is always allowed.
 *                         Other origins get 403: a page elsewhere must not ride a visitor's cookies into this
 *                         socket (cross-site WebSocket hijacking)
 * @param deflate          offer permessage-deflate (RFC 7692) when the client asks for it
 * @param compressAtLeast  messages shorter than this go out uncompressed even with deflate (node's ws uses 1 KiB)
 */
public record WebSocketOptions(int maxMessage, int maxFrame, long maxQueued, Duration pingInterval,
                               List<String> subprotocols, Set<String> allowedOrigins, boolean deflate,
                               int compressAtLeast) {

    /** Node's ws (perMessageDeflate threshold): smaller messages are not worth a compressor pass. */
    public static final int DEFAULT_COMPRESS_AT_LEAST = 1024;

    public WebSocketOptions {
        if (maxMessage < 1 || maxFrame < 1 || maxQueued < 1) throw new IllegalArgumentException("limits must be positive");
        Objects.requireNonNull(pingInterval, "pingInterval");
        if (pingInterval.isNegative()) throw new IllegalArgumentException("ping interval must not be negative");
        subprotocols = List.copyOf(subprotocols);
        allowedOrigins = Set.copyOf(allowedOrigins);
        if (compressAtLeast < 0) throw new IllegalArgumentException("compression threshold must not be negative");
    }

    public static WebSocketOptions defaults() {
        return new WebSocketOptions(WsLimits.DEFAULT_MAX_MESSAGE, WsLimits.DEFAULT_MAX_FRAME, WsLimits.DEFAULT_MAX_QUEUED,
                WsLimits.DEFAULT_PING_INTERVAL, List.of(), Set.of(), true, DEFAULT_COMPRESS_AT_LEAST);
    }

    /** Both the message and the frame bound. */
    public WebSocketOptions withMaxMessage(int bytes) {
        return new WebSocketOptions(bytes, bytes, maxQueued, pingInterval, subprotocols,
                allowedOrigins, deflate, compressAtLeast);
    }

    public WebSocketOptions withMaxFrame(int bytes) {
        return new WebSocketOptions(maxMessage, bytes, maxQueued, pingInterval, subprotocols, allowedOrigins, deflate,
                compressAtLeast);
    }

    public WebSocketOptions withMaxQueued(long bytes) {
        return new WebSocketOptions(maxMessage, maxFrame, bytes, pingInterval, subprotocols, allowedOrigins, deflate,
                compressAtLeast);
    }

    public WebSocketOptions withPingInterval(Duration d) {
        return new WebSocketOptions(maxMessage, maxFrame, maxQueued, d, subprotocols, allowedOrigins, deflate,
                compressAtLeast);
    }

    public WebSocketOptions withSubprotocols(String... names) {
        return new WebSocketOptions(maxMessage, maxFrame, maxQueued, pingInterval, List.of(names), allowedOrigins,
                deflate, compressAtLeast);
    }

    public WebSocketOptions withAllowedOrigins(String... origins) {
        return new WebSocketOptions(maxMessage, maxFrame, maxQueued, pingInterval, subprotocols, Set.of(origins),
                deflate, compressAtLeast);
    }

    public WebSocketOptions withDeflate(boolean on) {
        return new WebSocketOptions(maxMessage, maxFrame, maxQueued, pingInterval, subprotocols, allowedOrigins, on,
                compressAtLeast);
    }

    public WebSocketOptions withCompressAtLeast(int bytes) {
        return new WebSocketOptions(maxMessage, maxFrame, maxQueued, pingInterval, subprotocols, allowedOrigins, deflate,
                bytes);
    }
}
