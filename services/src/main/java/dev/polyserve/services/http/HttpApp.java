package dev.polyserve.services.http;

import dev.polyserve.services.http.websocket.WebSocketEndpoint;
import dev.polyserve.services.http.websocket.WebSocketOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The class interface for non-page requests: routes by method and path pattern, with static files as the
 * fallback for GET and HEAD.
 *
 * <pre>{@code
 * HttpApp app = new HttpApp();
 * app.get("/api/time", req -> Response.json(Map.of("now", Instant.now().toString())));
 * app.get("/api/users/{id}", req -> Response.json(users.find(req.pathParam("id"))));
 * app.post("/api/echo", req -> Response.json(req.json()));
 * app.websocket("/ws/echo", session -> session.onText(session::send));
 * app.staticFiles(Path.of("site"));
 * }</pre>
 *
 * <p>Handlers may block (a database call, a file read): by default they run on a virtual thread, off the
 * connection's event loop. A handler that only computes can say {@link Dispatch#EVENT_LOOP} and skip the hop. A
 * GET route also answers HEAD. A path that matches a route's pattern but not its method gets 405 with
 * {@code Allow}; a path no route matches goes to the static files (or 404 without them).
 *
 * <p>Configure the app before the server starts; it is read-only while serving.
 */
public final class HttpApp {

    /** Where a route's handler runs. */
    public enum Dispatch {
        /** On a fresh virtual thread; the handler may block. The default. */
        VIRTUAL_THREAD,
        /** On the connection's own thread or event loop; the handler must not block. */
        EVENT_LOOP
    }

    /** Computes the response to one request. An exception becomes a logged 500. */
    @FunctionalInterface
    public interface RouteHandler {
        Response handle(Request request) throws Exception;
    }

    record Route(String method, String pattern, String[] segments, Dispatch dispatch, RouteHandler handler) {}

    /** A WebSocket address: upgrade requests for {@code path} are handed to {@code endpoint} after the 101. */
    record WebSocketRoute(String path, WebSocketOptions options, WebSocketEndpoint endpoint) {}

    /** The outcome of looking a request up. */
    sealed interface Match permits Found, MethodNotAllowed, NoRoute {}

    record Found(Route route, Map<String, String> params) implements Match {}

    record MethodNotAllowed(Set<String> allow) implements Match {}

    enum NoRoute implements Match { INSTANCE }

    private final List<Route> patterned = new ArrayList<>();
    /** Literal patterns, by path: most API routes, found without walking the list (each match made once, not per request). */
    private final Map<String, List<Found>> literal = new HashMap<>();
    private final Map<String, WebSocketRoute> websockets = new HashMap<>();
    private StaticFiles staticFiles;
    /** Takes every request no route matches, any method, before the static files (a redirect-everything app). */
    private Route fallback;
    /** Every method some route declares (so a custom method like PURGE is not answered 501). */
    private final Set<String> declaredMethods = new java.util.HashSet<>();

    public HttpApp get(String pattern, RouteHandler h) { return route("GET", pattern, Dispatch.VIRTUAL_THREAD, h); }
    public HttpApp get(String pattern, Dispatch d, RouteHandler h) { return route("GET", pattern, d, h); }
    public HttpApp post(String pattern, RouteHandler h) { return route("POST", pattern, Dispatch.VIRTUAL_THREAD, h); }
    public HttpApp post(String pattern, Dispatch d, RouteHandler h) { return route("POST", pattern, d, h); }
    public HttpApp put(String pattern, RouteHandler h) { return route("PUT", pattern, Dispatch.VIRTUAL_THREAD, h); }
    public HttpApp put(String pattern, Dispatch d, RouteHandler h) { return route("PUT", pattern, d, h); }
    public HttpApp delete(String pattern, RouteHandler h) { return route("DELETE", pattern, Dispatch.VIRTUAL_THREAD, h); }
    public HttpApp delete(String pattern, Dispatch d, RouteHandler h) { return route("DELETE", pattern, d, h); }
    public HttpApp patch(String pattern, RouteHandler h) { return route("PATCH", pattern, Dispatch.VIRTUAL_THREAD, h); }

    /**
     * Adds a route. {@code pattern} is a path like {@code /api/users/{id}/posts}: each {@code {name}} segment
     * matches one decoded path segment, available as {@link Request#pathParam}. Earlier routes win.
     */
    public HttpApp route(String method, String pattern, Dispatch dispatch, RouteHandler handler) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(dispatch, "dispatch");
        if (!pattern.startsWith("/")) throw new IllegalArgumentException("a route pattern starts with '/': " + pattern);
        for (int i = 0; i < method.length(); i++) {
            if (!HttpRequestParser.isTchar((byte) method.charAt(i))) throw new IllegalArgumentException("bad method " + method);
        }
        declaredMethods.add(method);
        String[] segments = split(pattern);
        Route r = new Route(method, pattern, segments, dispatch, handler);
        boolean isLiteral = true;
        for (String s : segments) isLiteral &= !isParam(s);
        if (isLiteral) {
            literal.computeIfAbsent(normalisePattern(segments), k -> new ArrayList<>()).add(new Found(r, Map.of()));
        } else {
            patterned.add(r);
        }
        return this;
    }

    /** A WebSocket route at {@code path} with the default limits; see {@link #websocket(String, WebSocketOptions, WebSocketEndpoint)}. */
    public HttpApp websocket(String path, WebSocketEndpoint endpoint) {
        return websocket(path, WebSocketOptions.defaults(), endpoint);
    }

    /**
     * A WebSocket route (RFC 6455) at the literal {@code path}: an upgrade request there gets {@code 101} and the
     * connection becomes a WebSocket whose session {@code endpoint} receives (on the connection's thread or loop: it
     * must not block). Any other request for the path gets {@code 426 Upgrade Required}. Takes precedence over
     * routes and files at the same path.
     */
    public HttpApp websocket(String path, WebSocketOptions options, WebSocketEndpoint endpoint) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(endpoint, "endpoint");
        if (!path.startsWith("/")) throw new IllegalArgumentException("a WebSocket path starts with '/': " + path);
        websockets.put(normalisePattern(split(path)), new WebSocketRoute(path, options, endpoint));
        return this;
    }

    /** The WebSocket route at {@code path} (decoded, normalised), or null. */
    WebSocketRoute websocketAt(String path) {
        if (websockets.isEmpty()) return null;
        return websockets.get(path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    }

    /**
     * Answers every request that no route matches, whatever its method and path, in place of the static files and
     * the 404 (the plain-HTTP listener that redirects everything to HTTPS).
     */
    public HttpApp fallback(Dispatch dispatch, RouteHandler handler) {
        this.fallback = new Route("*", "/**", new String[0], Objects.requireNonNull(dispatch, "dispatch"),
                Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /** Serves files under {@code root} for GET and HEAD requests no route takes. */
    public HttpApp staticFiles(Path root) {
        this.staticFiles = StaticFiles.directory(root);
        return this;
    }

    /** Serves the small welcome site bundled in the jar (what {@code polyserve serve http} shows without --root). */
    public HttpApp bundledSite() {
        this.staticFiles = StaticFiles.bundled();
        return this;
    }

    boolean declares(String method) {
        return fallback != null || declaredMethods.contains(method);
    }

    StaticFiles staticFilesOrNull() {
        return staticFiles;
    }

    Match match(String method, String path) {
        String lookupMethod = method.equals("HEAD") ? "GET" : method;
        Set<String> allow = null;
        List<Found> exact = literal.get(path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        if (exact != null) {
            for (Found f : exact) {
                if (f.route().method.equals(lookupMethod)) return f;
                allow = addAllow(allow, f.route().method);
            }
        }
        if (!patterned.isEmpty()) {
            String[] segs = split(path);
            for (Route r : patterned) {
                Map<String, String> params = bind(r.segments, segs);
                if (params == null) continue;
                if (r.method.equals(lookupMethod)) return new Found(r, params);
                allow = addAllow(allow, r.method);
            }
        }
        if (allow == null) return fallback != null ? new Found(fallback, Map.of()) : NoRoute.INSTANCE;
        return new MethodNotAllowed(allow);
    }

    private static Set<String> addAllow(Set<String> allow, String method) {
        Set<String> s = allow == null ? new LinkedHashSet<>() : allow;
        s.add(method);
        if (method.equals("GET")) s.add("HEAD");
        return s;
    }

    private static Map<String, String> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) return null;
        Map<String, String> params = null;
        for (int i = 0; i < pattern.length; i++) {
            if (isParam(pattern[i])) {
                if (params == null) params = new LinkedHashMap<>();
                params.put(pattern[i].substring(1, pattern[i].length() - 1), path[i]);
            } else if (!pattern[i].equals(path[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static boolean isParam(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    /** The non-empty segments of a path; by hand, since this runs for every request that no literal route takes. */
    private static String[] split(String path) {
        int count = 0;
        for (int i = 0, n = path.length(); i < n; i++) {
            if (path.charAt(i) != '/' && (i == 0 || path.charAt(i - 1) == '/')) count++;
        }
        String[] out = new String[count];
        int k = 0;
        int start = -1;
        for (int i = 0, n = path.length(); i <= n; i++) {
            boolean slash = i == n || path.charAt(i) == '/';
            if (slash && start >= 0) {
                out[k++] = path.substring(start, i);
                start = -1;
            } else if (!slash && start < 0) {
                start = i;
            }
        }
        return out;
    }

    private static String normalisePattern(String[] segments) {
        return segments.length == 0 ? "/" : "/" + String.join("/", segments);
    }
}
