package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 on any engine: one {@link HttpConnectionHandler} per connection runs the sans-I/O parser and hands
 * complete requests to an {@link HttpApp}. Adds {@code /healthz} and {@code /metrics} to the app.
 *
 * <pre>{@code
 * ServerStats stats = new ServerStats();
 * HttpService http = new HttpService(new HttpApp().bundledSite(), HttpOptions.defaults(), stats);
 * Server server = Server.tcp(8080).model("nio").stats(stats).service(http).start();
 * }</pre>
 */
public final class HttpService implements Service {
    private static final Logger log = LoggerFactory.getLogger(HttpService.class);

    /** Sent to a connection the engine refuses because the server is full. */
    private static final byte[] REFUSAL = ("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
            + "Connection: close\r\n\r\n").getBytes(ISO_8859_1);

    /** Methods RFC 9110 defines; anything else no route declares gets 501 (RFC 9110 section 9.1). */
    private static final Set<String> STANDARD_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private final HttpApp app;
    private final HttpOptions options;
    private final HttpMetrics metrics;
    private final AddressLimit addresses;
    /** Server, and Strict-Transport-Security when asked: encoded once, written into every response head. */
    private final byte[] serverFields;
    /** The clock for timeouts; replaced in tests so deadlines need no waiting. */
    private volatile LongSupplier nanoClock = System::nanoTime;

    public HttpService(HttpApp app, HttpOptions options, ServerStats stats) {
        this.app = Objects.requireNonNull(app, "app");
        this.options = Objects.requireNonNull(options, "options");
        this.metrics = new HttpMetrics(Objects.requireNonNull(stats, "stats"));
        this.addresses = new AddressLimit(options.maxPerAddress());
        this.serverFields = options.hsts() == null ? ResponseWriter.SERVER
                : (new String(ResponseWriter.SERVER, ISO_8859_1) + "Strict-Transport-Security: max-age="
                        + options.hsts().toSeconds() + "\r\n").getBytes(ISO_8859_1);
        app.get("/healthz", HttpApp.Dispatch.EVENT_LOOP, req -> Response.json(Map.of("status", "ok")));
        app.get("/metrics", HttpApp.Dispatch.EVENT_LOOP, req -> Response.bytes(200,
                "text/plain; version=0.0.4; charset=utf-8", metrics.render(modelOf(req)).getBytes(ISO_8859_1)));
    }

    @Override
    public Handler newHandler() {
        return new HttpConnectionHandler(this);
    }

    @Override
    public byte[] refusal() {
        return REFUSAL.clone();
    }

    byte[] serverFields() {
        return serverFields;
    }

    /** Responses sent so far (every status): the dashboard's requests per second. Any thread. */
    public long requestsServed() {
        return metrics.totalRequests();
    }

    HttpOptions options() {
        return options;
    }

    HttpApp.WebSocketRoute websocketAt(String path) {
        return app.websocketAt(path);
    }

    HttpMetrics metrics() {
        return metrics;
    }

    AddressLimit addresses() {
        return addresses;
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    void setClock(LongSupplier clock) {
        this.nanoClock = clock;
    }

    private static String modelOf(Request req) {
        return req.model();
    }

    /** Turns a parsed head and its body into a {@link Request}, or null when the target is not a usable path. */
    static Request request(RequestHead head, byte[] body, SocketAddress remote, String model) {
        String target = head.target();
        String pathAndQuery;
        if (target.startsWith("/")) {
            pathAndQuery = target;
        } else if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
            // absolute-form (RFC 9112 section 3.2.2): a server MUST accept it; we serve every host the same.
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            pathAndQuery = slash < 0 ? "/" : target.substring(slash);
        } else {
            return null;
        }
        int q = pathAndQuery.indexOf('?');
        String rawPath = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? null : pathAndQuery.substring(q + 1);
        String path = PathCodec.decodeAndNormalise(rawPath);
        if (path == null) return null;
        return new Request(head, path, query, body, remote, model, Map.of());
    }

    /** Receives the response of a route that ran on a virtual thread, on the connection's executor. */
    @FunctionalInterface
    interface LaterResponse {
        void deliver(RequestHead head, Request req, Response resp);
    }

    /**
     * The response to {@code req}: returned now when it is ready, or null when a route runs on a virtual thread,
     * in which case {@code later} receives it on the connection's executor.
     */
    Response respond(RequestHead head, Request req, Conn conn, LaterResponse later) {
        if (!STANDARD_METHODS.contains(head.method()) && !app.declares(head.method())) {
            return Response.error(501, "Method " + head.method() + " is not implemented.");
        }
        if (req == null) {
            if (head.target().equals("*") && head.method().equals("OPTIONS")) {
                return Response.status(204).header("Allow", "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
            }
            return Response.error(400, "The request target is not a valid path.");
        }
        return switch (app.match(req.method(), req.path())) {
            case HttpApp.Found f -> {
                Request r = f.params().isEmpty() ? req : req.withPathParams(f.params());
                if (f.route().dispatch() == HttpApp.Dispatch.EVENT_LOOP) yield invoke(f.route(), r);
                Thread.ofVirtual().name("http-route").start(() -> {
                    Response resp = invoke(f.route(), r);
                    conn.executor().execute(() -> later.deliver(head, req, resp));
                });
                yield null;
            }
            case HttpApp.MethodNotAllowed m -> Response.error(405, req.method() + " is not allowed on " + req.path() + ".")
                    .header("Allow", String.join(", ", m.allow()));
            case HttpApp.NoRoute n -> {
                StaticFiles files = app.staticFilesOrNull();
                if (files == null) yield Response.error(404, "Nothing here: " + req.path());
                if (req.method().equals("GET") || req.method().equals("HEAD")) yield files.serve(req);
                yield Response.error(405, req.method() + " is not allowed on static files.").header("Allow", "GET, HEAD");
            }
        };
    }

    private static Response invoke(HttpApp.Route route, Request req) {
        try {
            Response r = route.handler().handle(req);
            if (r != null) return r;
            log.warn("route {} {} returned no response for {}", route.method(), route.pattern(), req);
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError vme) throw vme;
            log.warn("route {} {} failed on {}", route.method(), route.pattern(), req, e);
        }
        return Response.error(500, "The server failed to answer this request.");
    }
}
