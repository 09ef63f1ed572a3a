package dev.polyserve.services.http;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small JSON API that {@code polyserve serve http} serves beside the files, and that the welcome page calls:
 * the course's "simple non-page requests".
 */
public final class DemoApi {
    private DemoApi() {}

    /**
     * Adds {@code GET /api/time}, {@code GET /api/hello}, {@code GET /api/hello/{name}}, {@code POST /api/echo}, and
     * the WebSocket {@code /ws/echo}, which sends every message back as it came (text as text, binary as binary).
     */
    public static HttpApp install(HttpApp app) {
        app.websocket("/ws/echo", session -> {
            session.onText(session::send);
            session.onBinary(session::send);
        });
        app.get("/api/time", HttpApp.Dispatch.EVENT_LOOP, req -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("now", Instant.now().toString());
            m.put("uptimeMillis", ManagementFactory.getRuntimeMXBean().getUptime());
            m.put("model", req.model());
            return Response.json(m);
        });
        // The tiny JSON route of docs/bench/http.md: no allocation beyond the response itself.
        app.get("/api/hello", HttpApp.Dispatch.EVENT_LOOP, req -> Response.bytes(200, "application/json", HELLO.clone()));
        app.get("/api/hello/{name}", HttpApp.Dispatch.EVENT_LOOP,
                req -> Response.json(Map.of("message", "hello, " + req.pathParam("name"))));
        // May parse a large body: runs on a virtual thread (the default dispatch).
        app.post("/api/echo", req -> {
            String type = req.header("Content-Type");
            if (type != null && type.startsWith("application/json")) {
                try {
                    return Response.json(Map.of("echo", req.json()));
                } catch (java.io.IOException e) {
                    return Response.error(400, "The body is not valid JSON.");
                }
            }
            return Response.json(Map.of("echo", req.bodyText(), "bytes", req.body().length));
        });
        return app;
    }

    private static final byte[] HELLO = "{\"message\":\"hello, world\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
}
