package dev.polyserve.services.http;

import dev.polyserve.core.Conn;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The response bytes one processing round produces for a connection, gathered so that pipelined responses leave
 * together: small responses are packed into shared buffers and handed to the connection when the round ends
 * ({@link #flush}), where the engine sends them with one vectored write. A file body, or a body too large to
 * copy, first flushes what is gathered, so the bytes stay in order.
 *
 * <p>Used from the connection's serial context only.
 */
final class ResponseBuffer {
    /**
     * Size of a shared buffer when more requests are waiting: 16 KiB holds a dozen small responses, and the
     * engine gathers up to {@link dev.polyserve.core.engine.ConnBase#MAX_GATHER} buffers per write.
     */
    static final int BATCH = 16 * 1024;

    private final Conn conn;
    private ByteBuffer buf;
    private long gathered;

    ResponseBuffer(Conn conn) {
        this.conn = conn;
    }

    /**
     * A buffer with room for {@code n} more bytes. When none is open, one of exactly {@code n} bytes is made for a
     * lone response, or of {@link #BATCH} when more responses are likely to follow ({@code moreComing}).
     */
    ByteBuffer reserve(int n, boolean moreComing) {
        if (buf != null && buf.remaining() >= n) return buf;
        flush();
        buf = ByteBuffer.allocate(moreComing ? Math.max(n, BATCH) : n);
        return buf;
    }

    /** Counts bytes put into the buffer from {@link #reserve}, for {@link #pendingBytes}. */
    void added(int n) {
        gathered += n;
    }

    /** Queues {@code b} after what is gathered (a body too large to copy). */
    void write(ByteBuffer b) {
        flush();
        conn.write(b);
    }

    /** Queues a file region after what is gathered. */
    void sendFile(FileChannel file, long position, long count) {
        flush();
        conn.sendFile(file, position, count);
    }

    /** Bytes gathered and not yet handed to the connection. */
    long pendingBytes() {
        return gathered;
    }

    /** Hands what is gathered to the connection. */
    void flush() {
        if (buf != null) {
            ByteBuffer b = buf;
            buf = null;
            gathered = 0;
            b.flip();
            if (b.hasRemaining()) conn.write(b);
        }
    }
}
