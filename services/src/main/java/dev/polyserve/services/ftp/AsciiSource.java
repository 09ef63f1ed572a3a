package dev.polyserve.services.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Reads a file in chunks with LF turned into CRLF (ASCII mode, RFC 959 section 3.1.1.1: the network form ends
 * lines with CRLF). A CR already followed by LF is kept as is, so a file that already has CRLF is sent
 * unchanged.
 */
final class AsciiSource {
    /** Chunk read from disk per step: big enough for few system calls, small enough to keep queues short. */
    static final int CHUNK = 64 * 1024;

    private final FileChannel file;
    private long position;
    private final long end;
    private boolean lastWasCr;

    AsciiSource(FileChannel file, long position, long count) {
        this.file = file;
        this.position = position;
        this.end = position + count;
    }

    /** The next converted chunk, or null at the end. */
    ByteBuffer next() throws IOException {
        return next(CHUNK);
    }

    /** The next converted chunk of at most {@code max} file bytes (up to twice that on the wire), or null at the end. */
    ByteBuffer next(int max) throws IOException {
        if (position >= end) return null;
        ByteBuffer raw = ByteBuffer.allocate((int) Math.min(max, end - position));
        while (raw.hasRemaining()) {
            int n = file.read(raw, position + raw.position());
            if (n < 0) break;
        }
        raw.flip();
        if (!raw.hasRemaining()) {
            position = end;
            return null;
        }
        position += raw.remaining();
        ByteBuffer out = ByteBuffer.allocate(raw.remaining() * 2);
        while (raw.hasRemaining()) {
            byte b = raw.get();
            if (b == '\n' && !lastWasCr) out.put((byte) '\r');
            out.put(b);
            lastWasCr = b == '\r';
        }
        return out.flip();
    }

    /**
     * How many bytes {@link #next} turns all of {@code file} into: its size plus one CR per LF not already after one.
     * Reads the whole file, so the caller bounds its size.
     */
    static long networkSize(Path file) throws IOException {
        long n = 0;
        boolean lastWasCr = false;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[CHUNK];
            for (int r; (r = in.read(buf)) > 0; ) {
                for (int i = 0; i < r; i++) {
                    if (buf[i] == '\n' && !lastWasCr) n++;
                    lastWasCr = buf[i] == '\r';
                }
                n += r;
            }
        }
        return n;
    }

    void close() {
        try {
            file.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing to lose.
        }
    }
}
