package dev.polyserve.core.engine;

import dev.polyserve.core.LogLimiter;
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
    /**
     * Lines per resource (threads, descriptors, direct memory, connection slots) per {@link #SHORTAGE_LOG_WINDOW}.
     * A shortage repeats for every connection while it lasts: 19,000 connections past a thread limit once logged
     * 24,568 stack traces. Two lines a minute say what is short and how many were refused meanwhile.
     */
    public static final int SHORTAGE_LINES_PER_WINDOW = 2;
    public static final Duration SHORTAGE_LOG_WINDOW = Duration.ofMinutes(1);

    private final String model;
    private final ServerConfig config;
    private final Service service;
    private final ServerStats stats;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<ConnBase> open = ConcurrentHashMap.newKeySet();
    private final LogLimiter shortages = new LogLimiter(log, SHORTAGE_LOG_WINDOW, SHORTAGE_LINES_PER_WINDOW);
    private final SpareDescriptor spare = new SpareDescriptor();
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
        // Now, not at the first connection's idle timer: that may come when the process is out of threads.
        timer.prestartCoreThread();
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
            refused("connections", peer, open.size() + " connections open, the limit (--max-connections) is "
                    + config.maxConnections());
            return false;
        }
        return true;
    }

    /** Bytes to send a refused connection before closing it, or null. */
    public byte[] refusal() {
        return service.refusal();
    }

    /**
     * A connection refused for want of {@code resource} ("threads", "descriptors", ...): counted, and logged at
     * most {@link #SHORTAGE_LINES_PER_WINDOW} times a window per resource. The caller sends {@link #refusal()}.
     */
    public void refused(String resource, Object peer, String why) {
        stats.connectionRefused();
        shortages.warn(resource, "{}: refused connection from {}: {}", model, peer, why);
    }

    /** A line about a shortage of {@code resource} that is not a refusal (accept paused, a connection aborted). */
    public void shortage(String resource, String format, Object... args) {
        shortages.warn(resource, model + ": " + format, args);
    }

    /** The descriptor held in reserve for refusing connections while the process is out of them. */
    public SpareDescriptor spare() {
        return spare;
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
        spare.close();
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
