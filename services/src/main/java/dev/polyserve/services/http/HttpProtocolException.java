package dev.polyserve.services.http;

/**
 * A request the server refuses at the protocol level, with the status to answer. After one of these the
 * connection's framing can no longer be trusted, so the server answers and closes.
 */
final class HttpProtocolException extends Exception {
    private final int status;
    private final transient RequestHead head;

    HttpProtocolException(int status, String reason) {
        this(status, reason, null);
    }

    HttpProtocolException(int status, String reason, RequestHead headOrNull) {
        super(reason, null, false, false);
        this.status = status;
        this.head = headOrNull;
    }

    int status() {
        return status;
    }

    /** The head, if the error came after it was parsed (e.g. 413), for the access log. */
    RequestHead head() {
        return head;
    }
}
