package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * What HTTP adds when it runs over TLS (the TLS itself is the core layer, {@code core.tls.TlsService}): the
 * answer to a plaintext request on the HTTPS port, and the plain-HTTP listener that sends everyone to HTTPS.
 */
public final class Https {
    /** The customary unprivileged HTTPS port, beside 8080 for HTTP. */
    public static final int DEFAULT_PORT = 8443;

    /** A Host field we echo into a Location: a name or an IPv4/IPv6 literal, an optional port; nothing else. */
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?");

    private Https() {}

    /**
     * A 400 for a client that sent plaintext HTTP to the TLS port, then the connection closes: nginx answers the
     * same mistake with its 497 page ("The plain HTTP request was sent to HTTPS port").
     */
    public static byte[] plaintextReply() {
        String body = "This port speaks HTTPS: the plain HTTP request was sent to a TLS port. Use an https:// URL.\n";
        return ("HTTP/1.1 400 Bad Request\r\nServer: polyserve\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(ISO_8859_1);
    }

    /**
     * An app that answers every request with {@code 308 Permanent Redirect} to the same path and query on
     * {@code https://HOST:PORT}, HOST from the request's Host field (without its port) or {@code defaultHost}.
     * 308, not 301: the method and body are kept (RFC 9110 section 15.4.9), so a POST stays a POST. The port is a
     * future because the HTTPS listener may bind after this one (or on a free port); a request that comes before
     * it binds waits on a virtual thread.
     */
    public static HttpApp redirectApp(CompletableFuture<Integer> httpsPort, String defaultHost) {
        return new HttpApp().fallback(HttpApp.Dispatch.VIRTUAL_THREAD, req -> {
            int port = httpsPort.join();
            String target = req.target().startsWith("/") ? req.target()
                    : req.path() + (req.query() == null ? "" : "?" + req.query()); // absolute-form
            return Response.redirect(308, "https://" + host(req.header("Host"), defaultHost)
                    + (port == 443 ? "" : ":" + port) + target);
        });
    }

    private static String host(String field, String defaultHost) {
        if (field == null || !HOST.matcher(field).matches()) return defaultHost;
        int colon = field.lastIndexOf(':');
        boolean hasPort = colon > 0 && (field.charAt(0) != '[' || field.charAt(colon - 1) == ']');
        return hasPort ? field.substring(0, colon) : field;
    }
}
