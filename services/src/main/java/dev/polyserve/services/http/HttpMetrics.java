package dev.polyserve.services.http;

import dev.polyserve.core.ServerStats;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for {@code /metrics} in the Prometheus text exposition format (version 0.0.4): connections and bytes
 * from the engine's {@link ServerStats}, requests by status and response body bytes from the HTTP layer, each
 * labelled with the model serving them.
 */
final class HttpMetrics {
    private record Key(String model, int status) {}

    private final ServerStats stats;
    private final Map<Key, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bodyBytes = new ConcurrentHashMap<>();

    HttpMetrics(ServerStats stats) {
        this.stats = stats;
    }

    void recordResponse(String model, int status, long bodyBytesSent) {
        requests.computeIfAbsent(new Key(model, status), k -> new LongAdder()).increment();
        if (bodyBytesSent > 0) bodyBytes.computeIfAbsent(model, k -> new LongAdder()).add(bodyBytesSent);
    }

    long requests(int status) {
        long n = 0;
        for (var e : requests.entrySet()) if (e.getKey().status == status) n += e.getValue().sum();
        return n;
    }

    String render(String model) {
        StringBuilder sb = new StringBuilder(1024);
        String m = "{model=\"" + model + "\"}";
        gauge(sb, "polyserve_connections_open", "Connections open now.", m, stats.open());
        counter(sb, "polyserve_connections_accepted_total", "Connections accepted.", m, stats.accepted());
        counter(sb, "polyserve_connections_refused_total", "Connections refused because the server was full.", m, stats.refused());
        counter(sb, "polyserve_bytes_received_total", "Bytes read from clients.", m, stats.bytesIn());
        counter(sb, "polyserve_bytes_sent_total", "Bytes written to clients (headers and bodies).", m, stats.bytesOut());
        sb.append("# HELP polyserve_http_requests_total HTTP responses sent, by status.\n");
        sb.append("# TYPE polyserve_http_requests_total counter\n");
        Map<Key, Long> sorted = new TreeMap<>((a, b) -> a.model.equals(b.model)
                ? Integer.compare(a.status, b.status) : a.model.compareTo(b.model));
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach((k, v) -> sb.append("polyserve_http_requests_total{model=\"").append(k.model)
                .append("\",status=\"").append(k.status).append("\"} ").append(v).append('\n'));
        sb.append("# HELP polyserve_http_response_body_bytes_total Response body bytes sent.\n");
        sb.append("# TYPE polyserve_http_response_body_bytes_total counter\n");
        new TreeMap<>(bodyBytes).forEach((k, v) -> sb.append("polyserve_http_response_body_bytes_total{model=\"")
                .append(k).append("\"} ").append(v.sum()).append('\n'));
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
