package dev.polyserve.core.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into UTF-8 lines ended by {@code \n} or {@code \r\n} (the terminator is not part of the
 * line; invalid UTF-8 becomes U+FFFD). A line longer than the limit either fails the stream or, for
 * line-oriented chat, is reported once as {@link Overlong} and skipped up to its end.
 */
public final class LineDecoder implements Decoder<LineDecoder.Event> {

    /**
     * Default longest line in bytes, terminator excluded: 4 KiB holds any line a person types, and is the size
     * of the line buffer of most terminals in canonical mode (Linux's N_TTY holds 4095 bytes).
     */
    public static final int DEFAULT_MAX_LINE_BYTES = 4096;

    /** A decoded line or the news that one was too long. */
    public sealed interface Event permits Line, Overlong {}

    /** One line, without its terminator. */
    public record Line(String text) implements Event {}

    /** A line went past {@code maxBytes}; its bytes up to the next terminator are being dropped. */
    public record Overlong(int maxBytes) implements Event {}

    /** What to do with a line over the limit. */
    public enum OnOverlong {
        /** Throw a {@link ProtocolException}: the peer is not speaking the protocol. */
        FAIL,
        /** Report {@link Overlong} once, drop the line, carry on with the next one. */
        DISCARD
    }

    private final int maxLineBytes;
    private final OnOverlong onOverlong;
    private byte[] pending = new byte[128];
    private int pendingLength;
    private boolean discarding;

    public LineDecoder(int maxLineBytes, OnOverlong onOverlong) {
        if (maxLineBytes < 1) throw new IllegalArgumentException("max line bytes must be at least 1");
        this.maxLineBytes = maxLineBytes;
        this.onOverlong = onOverlong;
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<? super Event> out) throws ProtocolException {
        while (in.hasRemaining()) {
            int start = in.position();
            int end = indexOfNewline(in, start, in.limit());
            int chunkEnd = end < 0 ? in.limit() : end;
            if (!discarding) {
                // One more than the limit may be a '\r' that belongs to the terminator.
                if (pendingLength + (chunkEnd - start) > maxLineBytes + 1) {
                    overlong(out);
                } else {
                    append(in, start, chunkEnd - start);
                }
            }
            in.position(end < 0 ? in.limit() : end + 1);
            if (end >= 0) {
                if (discarding) {
                    discarding = false;
                } else {
                    int length = pendingLength;
                    if (length > 0 && pending[length - 1] == '\r') length--;
                    pendingLength = 0;
                    if (length > maxLineBytes) {
                        overlong(out);
                        discarding = false;
                    } else {
                        out.accept(new Line(new String(pending, 0, length, StandardCharsets.UTF_8)));
                    }
                }
            }
        }
    }

    @Override
    public boolean midFrame() {
        return pendingLength > 0 || discarding;
    }

    private void overlong(Consumer<? super Event> out) throws ProtocolException {
        pendingLength = 0;
        if (onOverlong == OnOverlong.FAIL) {
            throw new ProtocolException("line longer than " + maxLineBytes + " bytes");
        }
        discarding = true;
        out.accept(new Overlong(maxLineBytes));
    }

    private void append(ByteBuffer in, int from, int count) {
        if (pendingLength + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + count, pending.length * 2));
        }
        in.get(from, pending, pendingLength, count);
        pendingLength += count;
    }

    private static int indexOfNewline(ByteBuffer in, int from, int to) {
        for (int i = from; i < to; i++) {
            if (in.get(i) == '\n') return i;
        }
        return -1;
    }
}
