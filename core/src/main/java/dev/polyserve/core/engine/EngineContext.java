package dev.polyserve.core.engine;

import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one running engine shares with its connections: the config, the service, the counters, a timer, and
 * the registry of open connections used for admission and for graceful shutdown. Thread-safe.
 */
public final class EngineContext {
    private static final Logger log = LoggerFactory.getLogger(EngineContext.class);

    private final String model;
    private final ServerConfig config;
    private final Service service;
    private final ServerStats stats;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<ConnBase> open = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    public EngineContext(String model, ServerConfig config, Service service, ServerStats stats) {
        this.model = model;
        this.config = config;
        this.service = service;
        this.stats = stats;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "polyserve-" + model + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public String model() { return model; }
    public ServerConfig config() { return config; }
    public Service service() { return service; }
    public ServerStats stats() { return stats; }
    ScheduledThreadPoolExecutor timer() { return timer; }

    /**
     * Whether a new connection from {@code peer} may be served. When not, the refusal is counted and logged;
     * the engine then sends {@link Service#refusal()} (if any) and closes the socket. Call from the accept loop.
     */
    public boolean admit(SocketAddress peer) {
        if (shuttingDown) {
            return false;
        }
        if (open.size() >= config.maxConnections()) {
            stats.connectionRefused();
            log.warn("refused connection from {}: {} connections open, the limit (--max-connections) is {}",
                    peer, open.size(), config.maxConnections());
            return false;
        }
        return true;
    }

    /** Bytes to send a refused connection before closing it, or null. */
    public byte[] refusal() {
        return service.refusal();
    }

    void register(ConnBase c) {
        open.add(c);
        stats.connectionOpened();
    }

    void unregister(ConnBase c) {
        if (open.remove(c)) {
            stats.connectionClosed();
            if (shuttingDown && open.isEmpty()) {
                synchronized (open) {
                    open.notifyAll();
                }
            }
        }
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * Graceful part of a shutdown, after the engine stopped accepting: asks every handler to finish
     * ({@link dev.polyserve.core.Handler#onShutdown}), waits up to {@code grace} for the connections to close,
     * aborts the rest, and stops the timer. Returns when every connection is closed.
     */
    public void closeConnections(Duration grace) {
        shuttingDown = true;
        for (ConnBase c : open) {
            c.requestShutdown();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        awaitNoConnections(deadline);
        if (!open.isEmpty()) {
            log.warn("{} connection(s) still open after the {} ms shutdown grace period: aborting them",
                    open.size(), grace.toMillis());
            for (ConnBase c : open) {
                c.abort();
            }
            awaitNoConnections(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitNoConnections(long deadlineNanos) {
        synchronized (open) {
            long left;
            while (!open.isEmpty() && (left = deadlineNanos - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(open, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
