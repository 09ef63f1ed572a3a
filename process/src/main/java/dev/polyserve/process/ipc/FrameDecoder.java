package dev.polyserve.process.ipc;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Sans-I/O decoder of length-prefixed frames: a 4-byte big-endian length, then that many bytes. Feed it bytes
 * as they arrive, in any split; it returns every message completed so far. Not thread-safe.
 */
final class FrameDecoder {
    static final int HEADER_BYTES = Integer.BYTES;

    private final int maxMessageBytes;
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    private byte[] body; // null while reading a header
    private int filled;
    /** Set once a frame announced too much: the stream cannot be resynchronised, so every later feed fails. */
    private FrameTooLargeException failure;

    FrameDecoder(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Consumes all of {@code in}; returns the messages it completed, in order. Messages completed before a frame
     * that announces too much are returned first (and the next call throws), so what is delivered never depends on
     * where reads split the stream (found by FrameDecoderFuzzTest: read whole, such messages were lost).
     */
    List<byte[]> feed(ByteBuffer in) throws FrameTooLargeException {
        checkFailed();
        List<byte[]> out = new ArrayList<>(1);
        while (in.hasRemaining()) {
            if (body == null) {
                while (header.hasRemaining() && in.hasRemaining()) header.put(in.get());
                if (header.hasRemaining()) break;
                int length = header.flip().getInt();
                header.clear();
                if (length < 0 || length > maxMessageBytes) {
                    failure = new FrameTooLargeException(Integer.toUnsignedLong(length), maxMessageBytes);
                    in.position(in.limit());
                    if (out.isEmpty()) throw failure;
                    return out;
                }
                body = new byte[length];
                filled = 0;
            }
            int n = Math.min(body.length - filled, in.remaining());
            in.get(body, filled, n);
            filled += n;
            if (filled == body.length) {
                out.add(body);
                body = null;
            }
        }
        return out;
    }

    /** Throws the failure a frame caused, if one did. */
    void checkFailed() throws FrameTooLargeException {
        if (failure != null) throw failure;
    }

    /** True between frames (no partial header or body buffered): an EOF here is a clean end. */
    boolean atBoundary() {
        return failure == null && body == null && header.position() == 0;
    }

    /** Encodes one frame. */
    static ByteBuffer encode(byte[] message) {
        return encodeAll(List.of(message));
    }

    /** Encodes {@code messages} as consecutive frames in one buffer. */
    static ByteBuffer encodeAll(List<byte[]> messages) {
        int total = 0;
        for (byte[] m : messages) total = Math.addExact(total, HEADER_BYTES + m.length);
        ByteBuffer frames = ByteBuffer.allocate(total);
        for (byte[] m : messages) frames.putInt(m.length).put(m);
        return frames.flip();
    }
}
