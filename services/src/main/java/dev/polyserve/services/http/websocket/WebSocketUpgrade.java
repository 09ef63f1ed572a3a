package dev.polyserve.services.http.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.services.http.HttpHeaders;
import dev.polyserve.services.http.Request;
import dev.polyserve.services.http.Response;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The opening handshake (RFC 6455 section 4.2): judges an upgrade request against a route's options and gives the
 * response, a {@code 101 Switching Protocols} or the refusal; an accepted handshake then makes the connection's new
 * handler. The HTTP connection writes the response through its pipelining buffer, flushes it, and only then hands
 * the connection over, so the 101 leaves before any frame.
 */
public final class WebSocketUpgrade {
    /** Section 1.3: the GUID appended to the key before hashing. */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** Section 4.4: the only version this server speaks. */
    private static final String VERSION = "13";

    private final Response response;
    private final WebSocketOptions options;
    private final PerMessageDeflate.Agreement deflate;
    private final String subprotocol;
    private final Request request;

    private WebSocketUpgrade(Response response, WebSocketOptions options, PerMessageDeflate.Agreement deflate,
                             String subprotocol, Request request) {
        this.response = response;
        this.options = options;
        this.deflate = deflate;
        this.subprotocol = subprotocol;
        this.request = request;
    }

    /** The answer to send: {@code 101}, or a refusal (then {@link #accepted()} is false). */
    public Response response() {
        return response;
    }

    public boolean accepted() {
        return response.status() == 101;
    }

    /**
     * The handler that owns the connection from now on. Call once the 101 is queued; {@code early} holds bytes the
     * client sent right behind its request (frames already), which are decoded first.
     */
    public Handler open(Conn conn, WebSocketEndpoint endpoint, ByteBuffer early) {
        if (!accepted()) throw new IllegalStateException("the handshake was refused");
        PerMessageDeflate pmd = deflate == null ? null : new PerMessageDeflate(deflate, options.compressAtLeast());
        WebSocketConnection ws = new WebSocketConnection(conn, options, pmd, subprotocol, request.path(), request::queryParam);
        ws.start(endpoint, early);
        return ws;
    }

    /** Judges {@code req}, a request for a WebSocket route. */
    public static WebSocketUpgrade handshake(Request req, WebSocketOptions options) {
        HttpHeaders h = req.headers();
        if (!h.hasToken("Upgrade", "websocket") || !h.hasToken("Connection", "upgrade")) {
            // A plain request for the socket's address (a browser tab opened on it): say what it is.
            return refuse(req, upgradeRequired("This address speaks WebSocket; connect with a WebSocket client."));
        }
        if (!req.method().equals("GET") || req.version().equals("HTTP/1.0")) {
            return refuse(req, Response.error(400, "A WebSocket handshake is an HTTP/1.1 GET request.").closeConnection());
        }
        if (!VERSION.equals(h.first("Sec-WebSocket-Version")) || h.all("Sec-WebSocket-Version").size() != 1) {
            // Section 4.4: name the versions we speak, so the client may retry with one.
            return refuse(req, upgradeRequired("Only WebSocket version 13 (RFC 6455) is spoken here."));
        }
        String key = h.first("Sec-WebSocket-Key");
        if (key == null || h.all("Sec-WebSocket-Key").size() != 1 || !validKey(key.trim())) {
            return refuse(req, Response.error(400, "Sec-WebSocket-Key must be 16 bytes in base64.").closeConnection());
        }
        if (req.body().length > 0) {
            return refuse(req, Response.error(400, "A WebSocket handshake has no body.").closeConnection());
        }
        String origin = h.first("Origin");
        if (origin != null && !originAllowed(origin, h.first("Host"), options)) {
            return refuse(req, Response.error(403, "Origin " + origin + " may not open this WebSocket.").closeConnection());
        }
        String protocol = chooseSubprotocol(h.tokens("Sec-WebSocket-Protocol"), options.subprotocols());
        PerMessageDeflate.Agreement pmd = options.deflate()
                ? PerMessageDeflate.negotiate(h.all("Sec-WebSocket-Extensions")) : null;
        Response r = Response.status(101).header("Upgrade", "websocket").header("Connection", "Upgrade")
                .header("Sec-WebSocket-Accept", acceptFor(key.trim()));
        if (protocol != null) r.header("Sec-WebSocket-Protocol", protocol);
        if (pmd != null) r.header("Sec-WebSocket-Extensions", pmd.responseValue());
        return new WebSocketUpgrade(r, options, pmd, protocol, req);
    }

    private static WebSocketUpgrade refuse(Request req, Response r) {
        return new WebSocketUpgrade(r, null, null, null, req);
    }

    private static Response upgradeRequired(String message) {
        // RFC 9110 section 15.5.22: a 426 names the protocol to upgrade to.
        return Response.error(426, message).header("Upgrade", "websocket").header("Connection", "Upgrade")
                .header("Sec-WebSocket-Version", VERSION);
    }

    /** Section 4.2.2: base64 of the SHA-1 of the key (as sent) and the GUID. */
    public static String acceptFor(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
    }

    /** Section 4.1: "a base64-encoded value that, when decoded, is 16 bytes in length". */
    private static boolean validKey(String key) {
        if (key.length() != WsLimits.KEY_LENGTH) return false;
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String chooseSubprotocol(List<String> offered, List<String> ours) {
        for (String p : ours) {
            for (String o : offered) if (o.equals(p)) return p;
        }
        return null;
    }

    /**
     * The server's own origin (the Origin's host and port are the Host field's), or one the route allows. Browsers
     * always send Origin; a page on another site must not open a socket that the visitor's cookies authenticate.
     */
    static boolean originAllowed(String origin, String host, WebSocketOptions options) {
        if (options.allowedOrigins().contains("*") || options.allowedOrigins().contains(origin)) return true;
        if (host == null) return false;
        String o = origin.toLowerCase(Locale.ROOT);
        int scheme = o.indexOf("://");
        if (scheme < 0) return false; // "null" (a sandboxed page or a file) is nobody's own origin
        String s = o.substring(0, scheme);
        String authority = o.substring(scheme + 3);
        if (authority.endsWith("/")) authority = authority.substring(0, authority.length() - 1);
        return withoutDefaultPort(authority, s).equals(withoutDefaultPort(host.toLowerCase(Locale.ROOT), s));
    }

    private static String withoutDefaultPort(String authority, String scheme) {
        String port = scheme.equals("https") || scheme.equals("wss") ? ":443" : ":80";
        return authority.endsWith(port) ? authority.substring(0, authority.length() - port.length()) : authority;
    }
}
