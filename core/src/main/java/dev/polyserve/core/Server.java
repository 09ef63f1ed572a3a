package dev.polyserve.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * A running stream server: one service on one engine at one address.
 *
 * <pre>{@code
 * Server server = Server.tcp(7000).model("nio").service(new EchoService(false)).start();
 * ...
 * server.stop(Duration.ofSeconds(5));
 * }</pre>
 */
public final class Server implements AutoCloseable {
    /** How long {@link #close()} lets open connections finish. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    private final ServerConfig config;
    private final Engine engine;
    private final ServerStats stats;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Server(ServerConfig config, Engine engine, ServerStats stats) {
        this.config = config;
        this.engine = engine;
        this.stats = stats;
    }

    /** Binds {@code config}'s address and serves {@code service} on its model; returns once connections are accepted. */
    public static Server start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        Objects.requireNonNull(service, "service");
        Engine engine = Engines.create(config.model());
        engine.start(config, service, stats);
        return new Server(config, engine, stats);
    }

    /** A builder for a TCP server on {@code port} (0 = any free port) of the loopback-or-any host set later. */
    public static Builder tcp(int port) {
        return new Builder().port(port);
    }

    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    public ServerConfig config() {
        return config;
    }

    public ServerStats stats() {
        return stats;
    }

    /** Graceful stop: no new connections, open ones get {@code grace} to finish, then are aborted. Idempotent. */
    public void stop(Duration grace) {
        try {
            engine.shutdown(grace);
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #stop} has completed. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    /** Collects the address, model, limits and service. Not thread-safe; build once. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String model = ServerConfig.DEFAULT_MODEL;
        private Duration idleTimeout = ServerConfig.DEFAULT_IDLE_TIMEOUT;
        private int maxConnections = ServerConfig.DEFAULT_MAX_CONNECTIONS;
        private long writeQueueLimit = ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT;
        private int workers;
        private int backlog = ServerConfig.DEFAULT_BACKLOG;
        private boolean reusePort;
        private String workerModel = ServerConfig.DEFAULT_MODEL;
        private List<String> relaunchCommand = List.of();
        private Service service;
        private ServerStats stats = new ServerStats();

        private Builder() {}

        public Builder host(String host) { this.host = Objects.requireNonNull(host); return this; }
        public Builder port(int port) { this.port = port; return this; }
        public Builder model(String model) { this.model = Objects.requireNonNull(model); return this; }
        public Builder idleTimeout(Duration d) { this.idleTimeout = Objects.requireNonNull(d); return this; }
        public Builder maxConnections(int n) { this.maxConnections = n; return this; }
        public Builder writeQueueLimit(long bytes) { this.writeQueueLimit = bytes; return this; }
        /** Loops or pool threads; 0 (the default) lets the model choose. */
        public Builder workers(int n) { this.workers = n; return this; }
        public Builder backlog(int n) { this.backlog = n; return this; }
        public Builder reusePort(boolean on) { this.reusePort = on; return this; }
        /** With the {@code prefork} model: the in-process model each worker runs. */
        public Builder workerModel(String model) { this.workerModel = Objects.requireNonNull(model); return this; }
        /** With {@code prefork}/{@code process}: the command line children re-run (see {@link ServerConfig}). */
        public Builder relaunchCommand(List<String> argv) { this.relaunchCommand = List.copyOf(argv); return this; }
        public Builder service(Service s) { this.service = Objects.requireNonNull(s); return this; }
        /** Share counters with something that publishes them (metrics, prefork stats). */
        public Builder stats(ServerStats s) { this.stats = Objects.requireNonNull(s); return this; }

        /** @throws IllegalArgumentException when the host name does not resolve */
        public ServerConfig config() {
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) throw new IllegalArgumentException("cannot resolve host '" + host + "'");
            return new ServerConfig(address, model, idleTimeout, maxConnections,
                    writeQueueLimit, workers, backlog, reusePort, workerModel, relaunchCommand);
        }

        /** Binds and starts serving; returns once connections are accepted. */
        public Server start() throws IOException {
            return Server.start(config(), Objects.requireNonNull(service, "service"), stats);
        }
    }
}
