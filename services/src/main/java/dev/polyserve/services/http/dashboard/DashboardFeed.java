package dev.polyserve.services.http.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.polyserve.services.http.websocket.WebSocketSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live stream behind the dashboard: while anyone watches, samples the source every {@link #INTERVAL}, turns two
 * samples into one point of rates (per second; CPU as a fraction of one core), keeps the last {@link #HISTORY}
 * points for newcomers, and pushes each new point, encoded once, to every watcher's WebSocket. Nobody watching, no
 * thread and no sampling.
 */
final class DashboardFeed {
    private static final Logger log = LoggerFactory.getLogger(DashboardFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One point a second: what a person reads as live, and what a chart of two minutes holds. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Points kept for a new watcher: two minutes at one a second. */
    static final int HISTORY = 120;

    private final DashboardSource source;
    private final Set<WebSocketSession> watchers = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<ObjectNode> history = new ArrayDeque<>();   // guarded by this
    private ScheduledExecutorService ticker;                              // guarded by this
    private DashboardSample last;                                         // ticker thread only
    private long lastNanos;

    DashboardFeed(DashboardSource source) {
        this.source = source;
    }

    /** A new watcher: gets the history now, then every point. */
    synchronized void watch(WebSocketSession s) {
        ObjectNode h = JSON.createObjectNode().put("type", "history");
        ArrayNode points = h.putArray("points");
        history.forEach(points::add);
        s.sendText(bytes(h));
        watchers.add(s);
        if (ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("polyserve-dashboard").daemon().factory());
            last = null;
            ticker.scheduleAtFixedRate(this::tick, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    synchronized void unwatch(WebSocketSession s) {
        watchers.remove(s);
        if (watchers.isEmpty() && ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }

    private void tick() {
        try {
            DashboardSample now = source.sample();
            long nanos = System.nanoTime();
            DashboardSample before = last;
            long beforeNanos = lastNanos;
            last = now;
            lastNanos = nanos;
            if (before == null) return;
            ObjectNode p = point(before, now, (nanos - beforeNanos) / 1e9);
            byte[] message;
            synchronized (this) {
                history.addLast(p);
                while (history.size() > HISTORY) history.removeFirst();
                message = bytes(JSON.createObjectNode().put("type", "point").set("point", p));
            }
            for (WebSocketSession s : watchers) s.sendText(message);
        } catch (RuntimeException e) {
            // A bad reading must not end the stream (the executor would stop scheduling it).
            log.warn("dashboard: sampling failed: {}", e.toString());
        }
    }

    /** The rates between two samples {@code seconds} apart. */
    static ObjectNode point(DashboardSample a, DashboardSample b, double seconds) {
        ObjectNode p = JSON.createObjectNode();
        p.put("t", System.currentTimeMillis());
        p.put("model", b.model());
        p.put("open", b.open());
        p.put("accepted", rate(a.accepted(), b.accepted(), seconds));
        if (b.requests() >= 0 && a.requests() >= 0) p.put("requests", rate(a.requests(), b.requests(), seconds));
        else p.putNull("requests");
        p.put("in", rate(a.bytesIn(), b.bytesIn(), seconds));
        p.put("out", rate(a.bytesOut(), b.bytesOut(), seconds));
        ObjectNode busy = p.putObject("busy");
        for (Map.Entry<String, Long> e : b.cpuNanos().entrySet()) {
            Long before = a.cpuNanos().get(e.getKey());
            if (before != null) busy.put(e.getKey(), Math.round(Math.max(0, e.getValue() - before) / (seconds * 1e9) * 1000) / 1000.0);
        }
        return p;
    }

    /** Per second, never negative (a counter that restarted, e.g. a replaced prefork worker, reads as zero). */
    private static double rate(long before, long after, double seconds) {
        return Math.round(Math.max(0, after - before) / seconds * 10) / 10.0;
    }

    private static byte[] bytes(ObjectNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
