package dev.polyserve.services.http.dashboard;

import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.Response;
import dev.polyserve.services.http.websocket.WebSocketOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A live dashboard of a server: {@code /dashboard} draws connections open, accepted and requests per second, bytes
 * in and out, and the busy time of each event loop (or prefork worker) as small time-series charts, fed over the
 * WebSocket {@code /dashboard/ws}: the server pushes one point a second, nobody polls. The page is plain HTML,
 * CSS and script drawing on canvas, no framework.
 *
 * <pre>{@code
 * Dashboard.install(app, new InProcessSource(stats, "nio", http::requestsServed));
 * }</pre>
 */
public final class Dashboard {
    private Dashboard() {}

    public static final String PATH = "/dashboard";
    public static final String SOCKET_PATH = "/dashboard/ws";

    private static final byte[] PAGE = resource("index.html");
    private static final byte[] SCRIPT = resource("dashboard.js");
    private static final byte[] STYLE = resource("dashboard.css");
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'";

    /** Adds the page and its feed to {@code app}. */
    public static HttpApp install(HttpApp app, DashboardSource source) {
        DashboardFeed feed = new DashboardFeed(source);
        app.get(PATH, HttpApp.Dispatch.EVENT_LOOP, req -> file(PAGE.clone(), "text/html; charset=utf-8"));
        app.get(PATH + "/dashboard.js", HttpApp.Dispatch.EVENT_LOOP, req -> file(SCRIPT.clone(), "text/javascript; charset=utf-8"));
        app.get(PATH + "/dashboard.css", HttpApp.Dispatch.EVENT_LOOP, req -> file(STYLE.clone(), "text/css; charset=utf-8"));
        // The page only listens: a watcher's messages are tiny at most.
        app.websocket(SOCKET_PATH, WebSocketOptions.defaults().withMaxMessage(1024), ws -> {
            ws.onClose((code, reason) -> feed.unwatch(ws));
            feed.watch(ws);
        });
        return app;
    }

    private static Response file(byte[] body, String type) {
        return Response.bytes(200, type, body).header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-cache");
    }

    private static byte[] resource(String name) {
        try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("dashboard resource missing from the jar: " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
