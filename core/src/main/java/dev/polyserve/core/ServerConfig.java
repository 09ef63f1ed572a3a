package dev.polyserve.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The limits and address every engine honours. Build it through {@link Server.Builder}.
 *
 * @param address         where to listen; port 0 picks a free port
 * @param model           the engine's name
 * @param idleTimeout     close a connection when no byte moved for this long; {@link Duration#ZERO} = never
 * @param maxConnections  refuse (with a log line and the service's refusal bytes) beyond this many open connections
 * @param writeQueueLimit abort a connection whose unsent bytes exceed this (a reader that does not keep up)
 * @param workers         threads or loops for engines that have a fixed number (pool size, event loops);
 *                        0 = the model's own default (one loop per core; {@value #DEFAULT_POOL_THREADS} pool threads)
 * @param backlog         the listen backlog
 * @param reusePort       bind with SO_REUSEPORT so several processes share the port (prefork workers)
 * @param workerModel     for the {@code prefork} model: the in-process model each worker process runs
 * @param relaunchCommand for the multi-process models ({@code prefork}, {@code process}): the command line a child
 *                        process re-runs to rebuild this server (the {@code polyserve} CLI passes its own, so every
 *                        service option is honoured); empty = children rebuild the service from its class
 */
public record ServerConfig(
        InetSocketAddress address,
        String model,
        Duration idleTimeout,
        int maxConnections,
        long writeQueueLimit,
        int workers,
        int backlog,
        boolean reusePort,
        String workerModel,
        List<String> relaunchCommand) {

    /** The model a TCP server runs when none is named: a {@code java.nio} Selector loop per core, JDK only. */
    public static final String DEFAULT_MODEL = "nio";

    /** Default cap on open connections: far above a laptop's needs, below a default 65,536 fd limit. */
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
    /** Default per-connection unsent-byte cap: 4 MiB lets a burst through, stops a reader that never reads. */
    public static final long DEFAULT_WRITE_QUEUE_LIMIT = 4L << 20;
    /** Default idle timeout: five minutes, like nginx's keepalive-free {@code send_timeout} family. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Default listen backlog; the kernel caps it at net.core.somaxconn. */
    public static final int DEFAULT_BACKLOG = 4096;

    public ServerConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative()) throw new IllegalArgumentException("idle timeout must not be negative");
        if (maxConnections < 1) throw new IllegalArgumentException("max connections must be at least 1");
        if (writeQueueLimit < 1) throw new IllegalArgumentException("write queue limit must be at least 1 byte");
        if (workers < 0) throw new IllegalArgumentException("workers must not be negative");
        if (backlog < 1) throw new IllegalArgumentException("backlog must be at least 1");
        Objects.requireNonNull(workerModel, "workerModel");
        if (workerModel.equals("prefork") || workerModel.equals("process")) {
            throw new IllegalArgumentException("--worker-model must be an in-process model, not '" + workerModel + "'");
        }
        relaunchCommand = List.copyOf(relaunchCommand);
    }

    /** This configuration with another address (a second listener, a prefork worker's own bind). */
    public ServerConfig withAddress(InetSocketAddress other) {
        return new ServerConfig(other, model, idleTimeout, maxConnections, writeQueueLimit, workers, backlog, reusePort,
                workerModel, relaunchCommand);
    }

    /** Default size of the {@code pool} model's thread pool: Tomcat's long-standing maxThreads default. */
    public static final int DEFAULT_POOL_THREADS = 200;

    /** {@link #workers} when set, else {@code fallback}. */
    public int workersOr(int fallback) {
        return workers > 0 ? workers : fallback;
    }

    /** One event loop per core: the default for every loop engine. */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    public boolean hasIdleTimeout() {
        return !idleTimeout.isZero();
    }
}
