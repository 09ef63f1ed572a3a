package dev.polyserve.services.ftp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits control-connection bytes into command lines. Sans-I/O: bytes in, {@link Line}s out.
 *
 * <p>RFC 959 ends a command with CRLF; a bare LF is accepted too (as vsftpd and pyftpdlib do), because some
 * scripted clients send it. Telnet IAC sequences (RFC 959 section 4.1.3 has clients send IAC IP / IAC DM
 * before ABOR) are dropped. Lines are decoded as strict UTF-8 (RFC 2640): malformed input, including overlong
 * encodings of '.' and '/' used to smuggle traversals past filters, yields {@link Line.Malformed}.
 */
final class CommandLineDecoder {
    /**
     * Longest accepted command line in bytes, not counting its line end (CRLF or LF alike). vsftpd caps at 4096
     * (VSFTP_MAX_COMMAND_LINE); a path of {@link UserFileSystem#MAX_PATH_BYTES} plus a verb fits with room to spare.
     */
    static final int MAX_LINE_BYTES = 4096;

    private static final int IAC = 0xFF;

    /** A decoded line, or why it could not be. */
    sealed interface Line {
        record Text(String text) implements Line {}
        record TooLong() implements Line {}
        record Malformed() implements Line {}
    }

    private byte[] buf = new byte[256];
    private int len;
    /** True while skipping the rest of an over-long line. */
    private boolean discarding;
    /** True right after an IAC byte: the next byte is its command and is dropped. */
    private boolean afterIac;
    /** Lines completed but not yet taken. */
    private final java.util.ArrayDeque<Line> ready = new java.util.ArrayDeque<>();

    /** Consumes every byte of {@code in}. */
    void feed(ByteBuffer in) {
        while (in.hasRemaining()) {
            int b = in.get() & 0xFF;
            if (afterIac) {
                afterIac = false;
                continue;
            }
            if (b == IAC) {
                afterIac = true;
                continue;
            }
            if (b == '\n') {
                finishLine();
                continue;
            }
            if (discarding) continue;
            // One byte past the limit is held only if it is a CR, which a following LF makes the line end: a line
            // taken with a bare LF must be taken with CRLF too.
            if (len > MAX_LINE_BYTES || (len == MAX_LINE_BYTES && b != '\r')) {
                discarding = true;
                len = 0;
                continue;
            }
            if (len == buf.length) buf = Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_LINE_BYTES + 1));
            buf[len++] = (byte) b;
        }
    }

    private void finishLine() {
        if (discarding) {
            discarding = false;
            ready.add(new Line.TooLong());
            len = 0;
            return;
        }
        int end = len;
        if (end > 0 && buf[end - 1] == '\r') end--;
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, 0, end))
                    .toString();
            ready.add(new Line.Text(s));
        } catch (CharacterCodingException e) {
            ready.add(new Line.Malformed());
        }
        len = 0;
    }

    /**
     * Forgets every byte fed so far (lines not yet taken and a partial one) and returns whether there were any: what
     * a client pipelined behind AUTH TLS came before encryption and must not run as if it came over TLS (the STARTTLS
     * command injection of CVE-2011-0411).
     */
    boolean discardBuffered() {
        boolean any = !ready.isEmpty() || len > 0 || discarding;
        ready.clear();
        len = 0;
        discarding = false;
        afterIac = false;
        return any;
    }

    /** The next complete line, or null. */
    Line next() {
        return ready.poll();
    }
}
