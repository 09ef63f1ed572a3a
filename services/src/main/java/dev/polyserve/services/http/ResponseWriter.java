package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.polyserve.core.Conn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** Serialises a {@link Response} onto a connection: the status line, fields, and the body (bytes or a file). */
final class ResponseWriter {
    private ResponseWriter() {}

    /** Bodies up to this size travel in the same buffer as the header section: one write, one packet. */
    private static final int COALESCE_LIMIT = 16 * 1024;

    static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(ISO_8859_1);

    /**
     * Writes {@code r} to {@code conn}. {@code omitBody} is true for HEAD (the fields still describe the body).
     *
     * @return the body bytes sent, for the access log
     */
    static long write(Conn conn, Response r, boolean keepAlive, int minorVersion, boolean omitBody) {
        Response.Body body = r.body();
        boolean bodyAllowed = Status.allowsBody(r.status());
        long length = bodyAllowed ? body.length() : 0;
        StringBuilder sb = new StringBuilder(160 + 32 * r.headerNames().size());
        sb.append(minorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ").append(r.status()).append(' ')
                .append(Status.reason(r.status())).append("\r\n");
        sb.append("Date: ").append(HttpDates.now()).append("\r\n");
        sb.append("Server: polyserve\r\n");
        List<String> names = r.headerNames();
        List<String> values = r.headerValues();
        for (int i = 0; i < names.size(); i++) {
            sb.append(names.get(i)).append(": ").append(values.get(i)).append("\r\n");
        }
        if (bodyAllowed) {
            sb.append("Content-Length: ").append(length).append("\r\n");
        }
        if (!keepAlive) {
            sb.append("Connection: close\r\n");
        } else if (minorVersion == 0) {
            sb.append("Connection: keep-alive\r\n");
        }
        sb.append("\r\n");
        boolean sendBody = bodyAllowed && !omitBody && length > 0;
        // Header text is Latin-1 by construction (Response refuses CR/LF; names are tokens): a compact string's bytes.
        byte[] headBytes = sb.toString().getBytes(ISO_8859_1);
        if (sendBody && body instanceof Response.Bytes b && b.count() <= COALESCE_LIMIT) {
            ByteBuffer out = ByteBuffer.allocate(headBytes.length + b.count());
            out.put(headBytes).put(b.data(), b.offset(), b.count()).flip();
            conn.write(out);
            return length;
        }
        conn.write(ByteBuffer.wrap(headBytes));
        if (!sendBody) {
            closeQuietly(body);
            return 0;
        }
        send(conn, body);
        return length;
    }

    private static void send(Conn conn, Response.Body body) {
        switch (body) {
            case Response.Bytes b -> conn.write(ByteBuffer.wrap(b.data(), b.offset(), b.count()));
            case Response.FileRegion f -> conn.sendFile(f.channel(), f.position(), f.count());
            case Response.Parts p -> p.parts().forEach(part -> send(conn, part));
            case Response.Empty e -> { }
        }
    }

    /** A protocol-level refusal: the error page, {@code Connection: close}. */
    static long writeError(Conn conn, int status, String message, int minorVersion, boolean omitBody) {
        return write(conn, Response.error(status, message), false, minorVersion, omitBody);
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
