package dev.polyserve.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The I/O driver of one concurrency model. An engine binds, accepts, reads and writes, and calls the
 * service's handlers; the {@link Server} owns its life cycle. Engines come from an {@link EngineProvider}.
 */
public interface Engine {

    /** Binds {@code config.address()}, starts serving and returns once connections are being accepted. */
    void start(ServerConfig config, Service service, ServerStats stats) throws IOException;

    /** The bound address (the real port when 0 was asked for). Valid after {@link #start}. */
    InetSocketAddress localAddress();

    /**
     * Stops accepting at once, lets open connections finish for up to {@code grace}, then aborts the rest and
     * releases every thread and descriptor the engine made. Returns when all of that is done. Idempotent.
     */
    void shutdown(Duration grace);
}
