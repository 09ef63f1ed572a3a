package dev.polyserve.core;

import java.io.IOException;

/**
 * The cause given to {@link Handler#onClose} when a connection was aborted because its peer did not read fast
 * enough: more than the server's write queue limit was waiting to be sent.
 */
public final class WriteQueueFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public WriteQueueFullException(long queued, long limit) {
        super(queued + " bytes queued exceed the write queue limit of " + limit + " bytes (the peer is not reading)");
    }
}
