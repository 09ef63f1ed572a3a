package dev.polyserve.core;

/**
 * A protocol served on a stream transport: makes one {@link Handler} per accepted connection.
 * Implementations are shared by every connection and must be thread-safe.
 */
@FunctionalInterface
public interface Service {

    /** A fresh handler for a new connection. Called on the accepting thread; keep it cheap. */
    Handler newHandler();

    /**
     * Bytes sent to a connection refused because the server is full (e.g. FTP's {@code 421}), or null to
     * just close it. Called on the accepting thread.
     */
    default byte[] refusal() {
        return null;
    }

    /**
     * What this service shares across the processes of a multi-process model, or null if each process may serve
     * on its own (echo, HTTP, FTP). See {@link SharedState}.
     */
    default SharedState sharedState() {
        return null;
    }
}
