package dev.polyserve.process;

import dev.polyserve.core.Server;
import dev.polyserve.core.Service;

import java.time.Duration;
import java.util.Map;

/**
 * The entry point of a child JVM when no CLI command line is being re-run (see {@link ProcessModels}): rebuilds the
 * master's server from {@code POLYSERVE_*} environment variables and runs it. The engine of the same model then
 * sees {@code POLYSERVE_ROLE} and plays the child's part.
 */
public final class ChildMain {
    /** How long a child lets its connections finish after SIGTERM (the master's own grace bounds it anyway). */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private ChildMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Service service = (Service) Class.forName(require(env, ChildLauncher.SERVICE_CLASS))
                .getConstructor().newInstance();
        // Registered before start: a one-connection child may finish (and exit) right after start returns.
        var started = new java.util.concurrent.atomic.AtomicReference<Server>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Server s = started.get();
            if (s != null) s.stop(GRACE);
        }, "polyserve-child-shutdown"));
        Server server = Server.tcp(Integer.parseInt(require(env, ChildRole.PORT)))
                .host(require(env, ChildLauncher.HOST))
                .model(require(env, ChildLauncher.MODEL))
                .idleTimeout(Duration.ofMillis(Long.parseLong(require(env, ChildLauncher.IDLE_MILLIS))))
                .maxConnections(Integer.parseInt(require(env, ChildLauncher.MAX_CONNECTIONS)))
                .writeQueueLimit(Long.parseLong(require(env, ChildLauncher.WRITE_QUEUE_LIMIT)))
                .workers(Integer.parseInt(require(env, ChildLauncher.WORKERS)))
                .backlog(Integer.parseInt(require(env, ChildLauncher.BACKLOG)))
                .service(service)
                .start();
        started.set(server);
        server.awaitStopped();
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null) throw new IllegalStateException(name + " is not set: ChildMain is started by a polyserve master");
        return v;
    }
}
