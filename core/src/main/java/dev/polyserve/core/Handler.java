package dev.polyserve.core;

import java.nio.ByteBuffer;

/**
 * The protocol side of one connection. A {@link Service} makes one handler per connection.
 *
 * <p>Threading: an engine never calls two methods of the same handler at once, and every call
 * happens-before the next one (including tasks run through {@link Conn#executor()}), so a
 * handler needs no locks for its own state. Cross-connection work goes through {@link Conn#write}.
 */
public interface Handler {

    /** The connection is established; called once, before any other method. */
    default void onOpen(Conn conn) {}

    /** Bytes arrived. {@code in} is valid during this call only: consume or copy what you keep. */
    void onRead(Conn conn, ByteBuffer in);

    /** The peer shut down its sending side (EOF). By default the connection closes after its queued bytes flush. */
    default void onReadEnd(Conn conn) {
        conn.close();
    }

    /**
     * The write queue emptied after it had backed up (the peer was slower than the producer) or while reading
     * was paused: resume a paused producer. A handler that pauses reading because of queued bytes should check
     * {@link Conn#queuedBytes()} once more after pausing, since the queue may have emptied in between.
     */
    default void onDrained(Conn conn) {}

    /** No bytes moved either way for the server's idle timeout. By default the connection is closed. */
    default void onIdle(Conn conn) {
        conn.close();
    }

    /**
     * The server is shutting down gracefully. By default the connection closes after its queued bytes flush;
     * override to finish the work in hand first (a transfer, a response). Unfinished connections are aborted
     * when the shutdown grace period ends.
     */
    default void onShutdown(Conn conn) {
        conn.close();
    }

    /** The connection is gone; called exactly once, last. {@code cause} is null for an orderly close. */
    default void onClose(Conn conn, Throwable cause) {}
}
