package dev.polyserve.services.http;

/**
 * A parsed request line and header section, with the framing decided (RFC 9112 section 6.3).
 *
 * @param minorVersion   0 for HTTP/1.0, 1 for HTTP/1.1 (later 1.x minors are answered as 1.1)
 * @param contentLength  the body length, or -1 when the body is chunked
 * @param keepAlive      whether the client allows the connection to stay open after this exchange
 * @param expectContinue the client waits for {@code 100 Continue} before sending the body
 */
record RequestHead(String method, String target, int minorVersion, HttpHeaders headers, long contentLength,
                   boolean keepAlive, boolean expectContinue) implements HttpEvent {

    boolean chunked() {
        return contentLength < 0;
    }

    String requestLine() {
        return method + " " + target + " HTTP/1." + minorVersion;
    }
}
