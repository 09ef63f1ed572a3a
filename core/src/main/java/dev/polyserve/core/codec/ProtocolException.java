package dev.polyserve.core.codec;

/**
 * The peer broke the framing rules (a frame over a limit, a malformed header). The message is one sentence
 * fit for a log line; the connection cannot continue because the byte stream is out of sync.
 */
public final class ProtocolException extends Exception {

    public ProtocolException(String reason) {
        super(reason);
    }

    public ProtocolException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
