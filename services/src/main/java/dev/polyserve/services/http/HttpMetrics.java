package dev.polyserve.services.http;

import dev.polyserve.core.ServerStats;

/**
 * Counters for {@code /metrics} in the Prometheus text exposition format (version 0.0.4): connections and bytes
 * from the engine's {@link ServerStats}, requests by status and response body bytes from the HTTP layer, kept in the
 * same stats under their own keys, so that a server spread over prefork workers reports the whole server whichever
 * worker answers the scrape. Each is labelled with the model serving the scrape.
 */
final class HttpMetrics {
    /** The {@link ServerStats#count} key of response body bytes (at most {@link ServerStats#MAX_KEY}); the keys below it are HTTP statuses. */
    static final int BODY_BYTES_KEY = 1000;

    private final ServerStats stats;

    HttpMetrics(ServerStats stats) {
        this.stats = stats;
    }

    void recordResponse(int status, long bodyBytesSent) {
        stats.count(status, 1);
        if (bodyBytesSent > 0) stats.count(BODY_BYTES_KEY, bodyBytesSent);
    }

    /** Responses sent with {@code status} by the whole server. */
    long requests(int status) {
        return stats.totals().counted(status);
    }

    /** Responses sent by the whole server, every status together. */
    long totalRequests() {
        long n = 0;
        for (var e : stats.totals().counted().entrySet()) if (e.getKey() < BODY_BYTES_KEY) n += e.getValue();
        return n;
    }

    String render(String model) {
        ServerStats.Totals t = stats.totals();
        StringBuilder sb = new StringBuilder(1024);
        String m = "{model=\"" + model + "\"}";
        gauge(sb, "polyserve_processes", "Processes these counters add up (prefork: the serving workers).", m, t.processes());
        gauge(sb, "polyserve_connections_open", "Connections open now.", m, t.open());
        counter(sb, "polyserve_connections_accepted_total", "Connections accepted.", m, t.accepted());
        counter(sb, "polyserve_connections_refused_total", "Connections refused because the server was full.", m, t.refused());
        counter(sb, "polyserve_bytes_received_total", "Bytes read from clients.", m, t.bytesIn());
        counter(sb, "polyserve_bytes_sent_total", "Bytes written to clients (headers and bodies).", m, t.bytesOut());
        sb.append("# HELP polyserve_http_requests_total HTTP responses sent, by status.\n");
        sb.append("# TYPE polyserve_http_requests_total counter\n");
        t.counted().forEach((key, n) -> {
            if (key < BODY_BYTES_KEY) {
                sb.append("polyserve_http_requests_total{model=\"").append(model).append("\",status=\"").append(key)
                        .append("\"} ").append(n).append('\n');
            }
        });
        counter(sb, "polyserve_http_response_body_bytes_total", "Response body bytes sent.", m, t.counted(BODY_BYTES_KEY));
        return sb.toString();
    }

    private static void gauge(StringBuilder sb, String name, String help, String labels, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n").append(name).append(labels).append(' ').append(v).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, String labels, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n").append(name).append(labels).append(' ').append(v).append('\n');
    }
}
