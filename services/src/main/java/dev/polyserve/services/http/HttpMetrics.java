package dev.polyserve.services.http;

import dev.polyserve.core.ServerStats;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for {@code /metrics} in the Prometheus text exposition format (version 0.0.4): connections and bytes
 * from the engine's {@link ServerStats}, requests by status and response body bytes from the HTTP layer, each
 * labelled with the model serving them.
 */
final class HttpMetrics {
    /**
     * One model's counters: responses by status in an array indexed by the status (no key object or map lookup
     * per request), each counter made at its status's first response. A connection looks its model's up once.
     */
    static final class ModelCounters {
        private final AtomicReferenceArray<LongAdder> byStatus = new AtomicReferenceArray<>(1000);
        private final LongAdder bodyBytes = new LongAdder();

        void recordResponse(int status, long bodyBytesSent) {
            LongAdder a = byStatus.get(status);
            if (a == null) {
                byStatus.compareAndSet(status, null, new LongAdder());
                a = byStatus.get(status);
            }
            a.increment();
            if (bodyBytesSent > 0) bodyBytes.add(bodyBytesSent);
        }
    }

    private final ServerStats stats;
    private final Map<String, ModelCounters> models = new ConcurrentHashMap<>();

    HttpMetrics(ServerStats stats) {
        this.stats = stats;
    }

    /** The counters of {@code model}; look them up once per connection. */
    ModelCounters forModel(String model) {
        return models.computeIfAbsent(model, k -> new ModelCounters());
    }

    long requests(int status) {
        long n = 0;
        for (ModelCounters m : models.values()) {
            LongAdder a = m.byStatus.get(status);
            if (a != null) n += a.sum();
        }
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
        Map<String, ModelCounters> sorted = new TreeMap<>(models);
        sorted.forEach((name, c) -> {
            for (int status = 0; status < c.byStatus.length(); status++) {
                LongAdder a = c.byStatus.get(status);
                if (a != null) {
                    sb.append("polyserve_http_requests_total{model=\"").append(name).append("\",status=\"").append(status)
                            .append("\"} ").append(a.sum()).append('\n');
                }
            }
        });
        sb.append("# HELP polyserve_http_response_body_bytes_total Response body bytes sent.\n");
        sb.append("# TYPE polyserve_http_response_body_bytes_total counter\n");
        sorted.forEach((name, c) -> sb.append("polyserve_http_response_body_bytes_total{model=\"")
                .append(name).append("\"} ").append(c.bodyBytes.sum()).append('\n'));
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
