package dev.polyserve.process;

import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;

import java.time.Duration;
import java.util.Map;

/**
 * The entry point of a child JVM when no command line is being re-run ({@link ServerConfig#relaunchCommand()} is
 * empty): rebuilds the master's server from its serialized configuration and its service's class, and runs it. The engine of the same model then
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
        ServerConfig config = ServerConfigCodec.decode(require(env, ChildLauncher.SERVER_CONFIG));
        Server server = Server.start(config, service, new ServerStats());
        started.set(server);
        server.awaitStopped();
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null) throw new IllegalStateException(name + " is not set: ChildMain is started by a polyserve master");
        return v;
    }
}
