package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Serialises a {@link Response} into a {@link ResponseBuffer}: the status line, fields, and the body (bytes or a
 * file). The head is written as bytes straight into the outgoing buffer, from pre-encoded pieces where they exist
 * (status lines, the second's Date line, a static file's fields), with no intermediate string.
 */
final class ResponseWriter {
    private ResponseWriter() {}

    /** Bodies up to this size travel in the same buffer as the header section: one write, one packet. */
    static final int COALESCE_LIMIT = 16 * 1024;

    static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(ISO_8859_1);

    /** The fields every response carries after Date, unless the service adds its own (HSTS). */
    static final byte[] SERVER = "Server: polyserve\r\n".getBytes(ISO_8859_1);
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(ISO_8859_1);
    private static final byte[] CLOSE = "Connection: close\r\n".getBytes(ISO_8859_1);
    private static final byte[] KEEP_ALIVE = "Connection: keep-alive\r\n".getBytes(ISO_8859_1);
    private static final byte[][] STATUS_LINES = new byte[1000][];

    /**
     * Writes {@code r}. {@code omitBody} is true for HEAD (the fields still describe the body). The status line
     * always says HTTP/1.1: RFC 9110 section 6.2 has a server send its own version, also to a 1.0 client, which
     * then gets {@code Connection: keep-alive} when the connection stays open (the 1.0 keep-alive rule).
     *
     * @param serverFields pre-encoded fields every response of this service carries ({@link #SERVER}, HSTS)
     * @param http10     the request was HTTP/1.0
     * @param moreComing more requests are already buffered: gather this response with theirs
     * @return the body bytes sent, for the access log
     */
    static long write(ResponseBuffer out, byte[] serverFields, Response r, boolean keepAlive, boolean http10,
                      boolean omitBody, boolean moreComing) {
        Response.Body body = r.body();
        boolean bodyAllowed = Status.allowsBody(r.status());
        long length = bodyAllowed ? body.length() : 0;
        byte[] status = statusLine(r.status());
        byte[] date = HttpDates.dateLine();
        byte[] fields = r.encodedFields();
        int added = r.fieldCount();
        int headLength = status.length + date.length + serverFields.length + fields.length + 2;
        for (int i = 0; i < added; i++) headLength += r.fieldName(i).length() + 2 + r.fieldValue(i).length() + 2;
        if (bodyAllowed) headLength += CONTENT_LENGTH.length + digits(length) + 2;
        byte[] connection = !keepAlive ? CLOSE : http10 ? KEEP_ALIVE : null;
        if (connection != null) headLength += connection.length;

        boolean sendBody = bodyAllowed && !omitBody && length > 0;
        boolean inline = sendBody && body instanceof Response.Bytes b && b.count() <= COALESCE_LIMIT;
        ByteBuffer buf = out.reserve(headLength + (inline ? (int) length : 0), moreComing);
        int before = buf.position();
        buf.put(status).put(date).put(serverFields).put(fields);
        for (int i = 0; i < added; i++) {
            putLatin1(buf, r.fieldName(i));
            buf.put((byte) ':').put((byte) ' ');
            putLatin1(buf, r.fieldValue(i));
            buf.put((byte) '\r').put((byte) '\n');
        }
        if (bodyAllowed) {
            buf.put(CONTENT_LENGTH);
            putDecimal(buf, length);
            buf.put((byte) '\r').put((byte) '\n');
        }
        if (connection != null) buf.put(connection);
        buf.put((byte) '\r').put((byte) '\n');
        if (inline) {
            Response.Bytes b = (Response.Bytes) body;
            buf.put(b.data(), b.offset(), b.count());
        }
        out.added(buf.position() - before);
        if (!sendBody) {
            closeQuietly(body);
            return 0;
        }
        if (!inline) send(out, body);
        return length;
    }

    private static void send(ResponseBuffer out, Response.Body body) {
        switch (body) {
            case Response.Bytes b -> {
                if (b.count() <= COALESCE_LIMIT) {
                    ByteBuffer buf = out.reserve(b.count(), true);
                    buf.put(b.data(), b.offset(), b.count());
                    out.added(b.count());
                } else {
                    out.write(ByteBuffer.wrap(b.data(), b.offset(), b.count()));
                }
            }
            case Response.FileRegion f -> out.sendFile(f.channel(), f.position(), f.count());
            case Response.Parts p -> p.parts().forEach(part -> send(out, part));
            case Response.Empty e -> { }
        }
    }

    /** A protocol-level refusal: the error page, {@code Connection: close}. */
    static long writeError(ResponseBuffer out, byte[] serverFields, int status, String message, boolean omitBody) {
        return write(out, serverFields, Response.error(status, message), false, false, omitBody, false);
    }

    /** "HTTP/1.1 200 OK\r\n", made once per status. */
    private static byte[] statusLine(int status) {
        byte[] line = STATUS_LINES[status];
        if (line == null) {
            line = ("HTTP/1.1 " + status + " " + Status.reason(status) + "\r\n").getBytes(ISO_8859_1);
            STATUS_LINES[status] = line; // a benign race: every thread makes the same bytes
        }
        return line;
    }

    /** Header text is Latin-1 by construction (Response refuses CR/LF/NUL; names are tokens); others become '?'. */
    private static void putLatin1(ByteBuffer buf, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            buf.put(c <= 0xff ? (byte) c : (byte) '?');
        }
    }

    private static int digits(long v) {
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    private static void putDecimal(ByteBuffer buf, long v) {
        int d = digits(v);
        int at = buf.position() + d;
        buf.position(at);
        do {
            buf.put(--at, (byte) ('0' + v % 10));
            v /= 10;
        } while (v > 0);
    }

    static void closeQuietly(Response.Body body) {
        if (body instanceof Response.Parts p) p.parts().forEach(ResponseWriter::closeQuietly);
        if (body instanceof Response.FileRegion f) {
            try {
                f.channel().close();
            } catch (IOException ignored) {
                // Closing a read-only channel we no longer need; nothing to recover.
            }
        }
    }
}
