package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/** One complete HTTP request as a route handler sees it: head, decoded path, body. Immutable. */
public final class Request {
    private final RequestHead head;
    private final String path;
    private final String query;
    private final byte[] body;
    private final SocketAddress remote;
    private final Map<String, String> pathParams;
    private final String model;

    Request(RequestHead head, String path, String query, byte[] body, SocketAddress remote, String model,
            Map<String, String> pathParams) {
        this.head = head;
        this.path = path;
        this.query = query;
        this.body = body;
        this.remote = remote;
        this.pathParams = pathParams;
        this.model = model;
    }

    Request withPathParams(Map<String, String> params) {
        return new Request(head, path, query, body, remote, model, Map.copyOf(params));
    }

    /** The name of the engine serving this request, for metrics. */
    String model() {
        return model;
    }

    RequestHead head() {
        return head;
    }

    /** The method as sent (case-sensitive, RFC 9110 section 9.1). */
    public String method() {
        return head.method();
    }

    /** The request target exactly as sent, e.g. {@code /a%20b?x=1}. */
    public String target() {
        return head.target();
    }

    /** The percent-decoded, normalised path (no {@code .} or {@code ..} segments), e.g. {@code /a b}. */
    public String path() {
        return path;
    }

    /** The raw query string without {@code ?}, or null. */
    public String query() {
        return query;
    }

    /** The first value of query parameter {@code name} (percent- and plus-decoded), or null. */
    public String queryParam(String name) {
        if (query == null) return null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = PathCodec.decodeQueryComponent(eq < 0 ? pair : pair.substring(0, eq));
            if (name.equals(k)) return eq < 0 ? "" : PathCodec.decodeQueryComponent(pair.substring(eq + 1));
        }
        return null;
    }

    /** The value of path parameter {@code {name}} in the route's pattern, or null. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    public String header(String name) {
        return head.headers().first(name);
    }

    public HttpHeaders headers() {
        return head.headers();
    }

    /** "HTTP/1.0" or "HTTP/1.1". */
    public String version() {
        return "HTTP/1." + head.minorVersion();
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, UTF_8);
    }

    /** The body parsed as JSON into {@code type}. */
    public <T> T json(Class<T> type) throws IOException {
        return Json.MAPPER.readValue(body, type);
    }

    /** The body parsed as a JSON tree. */
    public JsonNode json() throws IOException {
        return Json.MAPPER.readTree(body);
    }

    public SocketAddress remote() {
        return remote;
    }

    /** The client's IP address as text, for logs. */
    String remoteHost() {
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) return isa.getAddress().getHostAddress();
        return String.valueOf(remote);
    }

    @Override
    public String toString() {
        return head.requestLine();
    }
}
