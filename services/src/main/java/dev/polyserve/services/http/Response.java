package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * An HTTP response built by a route or the static file server: status, header fields, body. The server adds
 * Date, Server, Content-Length and Connection itself.
 *
 * <pre>{@code
 * app.get("/api/time", req -> Response.json(Map.of("now", Instant.now().toString())));
 * }</pre>
 */
public final class Response {

    /** What follows the header section. */
    sealed interface Body permits Empty, Bytes, FileRegion, Parts {
        long length();
    }

    enum Empty implements Body {
        INSTANCE;

        @Override
        public long length() {
            return 0;
        }
    }

    record Bytes(byte[] data, int offset, int count) implements Body {
        @Override
        public long length() {
            return count;
        }
    }

    /** Part of an open file; the server owns the channel from here on and closes it. */
    record FileRegion(FileChannel channel, long position, long count) implements Body {
        @Override
        public long length() {
            return count;
        }
    }

    /** Several bodies back to back (a multipart/byteranges response). */
    record Parts(java.util.List<Body> parts) implements Body {
        @Override
        public long length() {
            long n = 0;
            for (Body b : parts) n += b.length();
            return n;
        }
    }

    private final int status;
    /** Header fields added with {@link #header}: name of field i at 2i, value at 2i+1 (one array, made on the first). */
    private String[] fields = NO_HEADER_FIELDS;
    private int fieldCount;
    private Body body = Empty.INSTANCE;
    private boolean close;
    /** Header fields already encoded as {@code Name: value\r\n} lines (a cached static file's); see {@link #fields}. */
    private byte[] encodedFields = NO_FIELDS;

    private static final byte[] NO_FIELDS = new byte[0];
    private static final String[] NO_HEADER_FIELDS = new String[0];
    /** Fields the first {@link #header} makes room for: Content-Type and a few more. */
    private static final int INITIAL_HEADER_FIELDS = 4;

    private Response(int status) {
        if (status < 100 || status > 999) throw new IllegalArgumentException("status out of range: " + status);
        this.status = status;
    }

    /** A response with no body. */
    public static Response status(int status) {
        return new Response(status);
    }

    public static Response json(Object value) {
        try {
            return bytes(200, "application/json", Json.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Response text(String text) {
        return bytes(200, "text/plain; charset=utf-8", text.getBytes(UTF_8));
    }

    public static Response html(String html) {
        return bytes(200, "text/html; charset=utf-8", html.getBytes(UTF_8));
    }

    public static Response bytes(int status, String contentType, byte[] body) {
        return new Response(status).header("Content-Type", contentType).body(body);
    }

    /** A redirect to {@code location} (already URL-encoded). */
    public static Response redirect(int status, String location) {
        return error(status, "Moved to " + location).header("Location", location);
    }

    /** A small HTML page explaining the status, as nginx and Apache send for errors, in the welcome site's style. */
    public static Response error(int status, String message) {
        String title = status + " " + Status.reason(status);
        String page = Pages.page(title, "<p>" + PathCodec.escapeHtml(message) + "</p>");
        return bytes(status, "text/html; charset=utf-8", page.getBytes(UTF_8));
    }

    /** Adds a header field (names may repeat). Returns this for chaining. */
    public Response header(String name, String value) {
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
            throw new IllegalArgumentException(name + " is set by the server from the body");
        }
        if (name.isEmpty()) throw new IllegalArgumentException("empty header name");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7f || !HttpRequestParser.isTchar((byte) c)) throw new IllegalArgumentException("bad header name: " + name);
        }
        checkFieldText(value);
        if (2 * fieldCount == fields.length) {
            fields = Arrays.copyOf(fields, Math.max(2 * INITIAL_HEADER_FIELDS, 2 * fields.length));
        }
        fields[2 * fieldCount] = name;
        fields[2 * fieldCount + 1] = value;
        fieldCount++;
        return this;
    }

    /**
     * Adds header fields already encoded as {@code Name: value\r\n} lines (Latin-1, validated by the caller), sent
     * before those added with {@link #header}. Static files encode theirs once per file, not once per request.
     */
    Response fields(byte[] encoded) {
        this.encodedFields = encoded;
        return this;
    }

    byte[] encodedFields() {
        return encodedFields;
    }

    /** Replaces the body. */
    public Response body(byte[] bytes) {
        this.body = new Bytes(bytes, 0, bytes.length);
        return this;
    }

    Response body(Body b) {
        this.body = b;
        return this;
    }

    /** Asks the server to close the connection after this response. */
    public Response closeConnection() {
        this.close = true;
        return this;
    }

    public int status() {
        return status;
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
        for (int i = 0; i < fieldCount; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) return fields[2 * i + 1];
        }
        return null;
    }

    /** How many fields {@link #header} added; {@link #fieldName} and {@link #fieldValue} read them in order. */
    int fieldCount() {
        return fieldCount;
    }

    String fieldName(int i) {
        return fields[2 * i];
    }

    String fieldValue(int i) {
        return fields[2 * i + 1];
    }

    Body body() {
        return body;
    }

    boolean wantsClose() {
        return close;
    }

    /** Refuses CR, LF and NUL so a handler cannot split the response (header injection); other text goes out as Latin-1. */
    private static void checkFieldText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) throw new IllegalArgumentException("CR, LF or NUL in a header field");
        }
    }
}
