package dev.polyserve.cli;

import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.process.ProcessModels;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every server has, whatever its service. */
public final class ServerOptions {

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Concurrency model (default: nio for TCP, threads for UDP). `polyserve models` lists them.")
    String model;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 or :: for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (default: the service's own port).")
    Integer port;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = Sizes.DurationConverter.class,
            description = "Close connections idle this long, e.g. 30s, 500ms, 5m; 0 = never (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_CONNECTIONS,
            description = "Refuse connections beyond this many open ones, with a log line (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--write-queue-limit", paramLabel = "BYTES", defaultValue = "4M", converter = Sizes.ByteSizeConverter.class,
            description = "Disconnect a client with more than this many unsent bytes (a reader that does not keep up), e.g. 512K, 4M (default: ${DEFAULT-VALUE}).")
    long writeQueueLimit;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0",
            description = "Event loops or pool threads; 0 lets the model choose (one loop per core; 200 pool threads).")
    int workers;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "5s", converter = Sizes.DurationConverter.class,
            description = "On SIGINT/SIGTERM, how long open connections get to finish (default: ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Option(names = "--worker-model", paramLabel = "MODEL", defaultValue = ProcessModels.DEFAULT_WORKER_MODEL,
            description = "With --model prefork: the in-process model each worker JVM runs (default: ${DEFAULT-VALUE}).")
    String workerModel;

    /** The model to run: the one asked for, or {@code fallback}. */
    public String modelOr(String fallback) {
        return model != null ? model : fallback;
    }

    /** A server builder with these options; {@code defaultPort} when --port was not given. */
    public Server.Builder builder(int defaultPort, String defaultModel) {
        // prefork and process start child JVMs that re-run this very command line (see ProcessModels).
        ProcessModels.workerModel(workerModel);
        ProcessModels.relaunchThisCommandLine();
        return Server.tcp(port != null ? port : defaultPort)
                .host(host)
                .model(modelOr(defaultModel))
                .idleTimeout(idleTimeout)
                .maxConnections(maxConnections)
                .writeQueueLimit(writeQueueLimit)
                .workers(workers);
    }

    public String host() { return host; }
    public Integer port() { return port; }
    public Duration shutdownGrace() { return shutdownGrace; }
}
