package dev.polyserve.services.ftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads part of a file in chunks of a size the caller picks: a rate-limited binary RETR, which cannot be one
 * {@link dev.polyserve.core.Conn#sendFile} because it must move its bytes as its {@link Throttle} allows.
 */
final class FileChunks {
    private final FileChannel file;
    private long position;
    private final long end;

    FileChunks(FileChannel file, long position, long count) {
        this.file = file;
        this.position = position;
        this.end = position + count;
    }

    /** The next chunk of at most {@code max} bytes, or null at the end (or when the file shrank meanwhile). */
    ByteBuffer next(int max) throws IOException {
        if (position >= end) return null;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, end - position));
        while (buf.hasRemaining()) {
            if (file.read(buf, position + buf.position()) < 0) break;
        }
        buf.flip();
        if (!buf.hasRemaining()) {
            position = end;
            return null;
        }
        position += buf.remaining();
        return buf;
    }

    void close() {
        try {
            file.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing to lose.
        }
    }
}
