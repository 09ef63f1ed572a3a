package dev.polyserve.services.chat;

import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.Response;
import dev.polyserve.services.http.websocket.WebSocketOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * The chat room in a browser: a page at {@code /} and its WebSocket at {@code /ws}, whose members join the same
 * {@link ChatBus} as the TCP members (one room, not two). The page is plain HTML, CSS and script, no framework.
 *
 * <pre>{@code
 * HttpApp web = ChatWeb.install(new HttpApp(), chat.bus(), chat.limits(), System::nanoTime);
 * Server.tcp(8081).service(new HttpService(web, HttpOptions.defaults(), stats)).start();
 * }</pre>
 */
public final class ChatWeb {
    private ChatWeb() {}

    public static final String SOCKET_PATH = "/ws";

    /**
     * The page's files: read once from the jar. Strict CSP: scripts and styles only from this server (no inline
     * code), sockets only to it.
     */
    private static final byte[] PAGE = resource("index.html");
    private static final byte[] SCRIPT = resource("chat.js");
    private static final byte[] STYLE = resource("chat.css");
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            + "frame-ancestors 'none'";

    /** Adds the page and the socket to {@code app}; members join {@code bus} under {@code limits}. */
    public static HttpApp install(HttpApp app, ChatBus bus, ChatLimits limits, LongSupplier nanoClock) {
        app.get("/", HttpApp.Dispatch.EVENT_LOOP, req -> file(PAGE.clone(), "text/html; charset=utf-8"));
        app.get("/chat.js", HttpApp.Dispatch.EVENT_LOOP, req -> file(SCRIPT.clone(), "text/javascript; charset=utf-8"));
        app.get("/chat.css", HttpApp.Dispatch.EVENT_LOOP, req -> file(STYLE.clone(), "text/css; charset=utf-8"));
        // A line a little over the limit still reaches the session, which answers it with the usual notice.
        int maxMessage = Math.max(64 * 1024, 4 * limits.maxLineBytes());
        WebSocketOptions options = WebSocketOptions.defaults().withMaxMessage(maxMessage)
                .withMaxQueued(limits.maxQueuedBytes());
        app.websocket(SOCKET_PATH, options, ws -> ChatWebMember.open(ws, bus, limits, nanoClock));
        return app;
    }

    private static Response file(byte[] body, String type) {
        return Response.bytes(200, type, body).header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-cache");
    }

    private static byte[] resource(String name) {
        try (InputStream in = ChatWeb.class.getResourceAsStream("web/" + name)) {
            if (in == null) throw new IllegalStateException("chat page resource missing from the jar: web/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
