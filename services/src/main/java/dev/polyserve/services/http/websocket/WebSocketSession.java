package dev.polyserve.services.http.websocket;

import java.net.SocketAddress;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One open WebSocket connection as an application sees it. Listeners run on the connection's own thread or event
 * loop, one at a time, and must not block; {@code send}, {@code close} and the getters are safe from any thread.
 */
public interface WebSocketSession {

    /** Receives the peer's close (its code, {@link WsFrames#NO_STATUS} if none) or the connection's end. */
    @FunctionalInterface
    interface CloseListener {
        void onClose(int code, String reason);
    }

    /** Called with each whole text message (fragments joined). */
    void onText(Consumer<String> listener);

    /** Called with each whole binary message (fragments joined). */
    void onBinary(Consumer<byte[]> listener);

    /**
     * Called once when the connection ends, however it ends: the peer's close code, the code this server closed
     * with, or {@link WsFrames#ABNORMAL} when the connection dropped without a close frame.
     */
    void onClose(CloseListener listener);

    /**
     * Called instead of the default when the server shuts down gracefully; the listener must close the session
     * (after any last words), e.g. with {@link WsFrames#GOING_AWAY}. Without one the session is closed with 1001.
     */
    void onShutdown(Runnable listener);

    /**
     * Queues a text message without blocking. False when it was not queued: the session is closing, or the peer has
     * more than {@link WebSocketOptions#maxQueued()} bytes waiting (it stopped reading; the connection is dropped).
     */
    boolean send(String text);

    /** Queues a binary message; as {@link #send(String)}. The array must not change afterwards. */
    boolean send(byte[] data);

    /**
     * Queues a text message already encoded as UTF-8 (a broadcast encodes once for every member); as
     * {@link #send(String)}. The bytes must be valid UTF-8 and must not change afterwards.
     */
    boolean sendText(byte[] utf8);

    /** Starts the close handshake with {@code code} (1000, or 3000-4999 for applications) and a short reason. */
    void close(int code, String reason);

    /** {@code close(1000, "")}. */
    default void close() {
        close(WsFrames.NORMAL, "");
    }

    /** Drops the connection at once, without a close handshake (a peer too slow to read one). */
    void abort();

    /** True until a close frame was sent or received, or the connection dropped. */
    boolean isOpen();

    /** The subprotocol agreed in the handshake, or null. */
    String subprotocol();

    /** The decoded path of the upgrade request, e.g. {@code /ws/echo}. */
    String path();

    /** The first value of query parameter {@code name} of the upgrade request, or null. */
    String queryParam(String name);

    SocketAddress remote();

    /** Bytes queued for the peer and not yet sent. */
    long queuedBytes();

    /** Runs tasks serialised with this session's listeners. */
    Executor executor();
}
