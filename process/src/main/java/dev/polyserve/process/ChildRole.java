package dev.polyserve.process;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a child JVM was started to be, read from its environment. A master sets these variables; the engine of the
 * same model name in the child reads them in {@code start} and plays the child's part instead of the master's.
 */
sealed interface ChildRole {
    /** Environment variable naming the role; absent in a master. */
    String ROLE = "POLYSERVE_ROLE";
    String PORT = "POLYSERVE_PORT";
    String WORKER_MODEL = "POLYSERVE_WORKER_MODEL";
    String WORKER_SLOT = "POLYSERVE_WORKER_SLOT";
    String WORKER_SPARE = "POLYSERVE_WORKER_SPARE";
    String CONTROL_SOCKET = "POLYSERVE_CONTROL_SOCKET";
    String STATS_FILE = "POLYSERVE_STATS_FILE";

    /** The stdio end of one connection (the {@code process} model). The peer comes in ucspi-tcp's variables. */
    record Stdio(InetSocketAddress remote, InetSocketAddress local) implements ChildRole {}

    /**
     * One prefork worker: serve {@code port} with {@code model}, report to the master over {@code control};
     * a {@code spare} waits for the master's {@code serve} first. {@code slot} is its row in the stats segment.
     */
    record Worker(String model, int port, int slot, Path control, Path statsFile, boolean spare) implements ChildRole {}

    /** This process's role, or empty in a master (or any ordinary server). */
    static Optional<ChildRole> current() {
        return from(System.getenv());
    }

    static Optional<ChildRole> from(Map<String, String> env) {
        String role = env.get(ROLE);
        if (role == null) return Optional.empty();
        return Optional.of(switch (role) {
            case "stdio" -> new Stdio(
                    new InetSocketAddress(env.getOrDefault("TCPREMOTEIP", "0.0.0.0"), Integer.parseInt(env.getOrDefault("TCPREMOTEPORT", "0"))),
                    new InetSocketAddress(env.getOrDefault("TCPLOCALIP", "0.0.0.0"), Integer.parseInt(env.getOrDefault("TCPLOCALPORT", "0"))));
            case "prefork-worker" -> new Worker(env.get(WORKER_MODEL), Integer.parseInt(env.get(PORT)),
                    Integer.parseInt(env.get(WORKER_SLOT)), Path.of(env.get(CONTROL_SOCKET)), Path.of(env.get(STATS_FILE)),
                    Boolean.parseBoolean(env.get(WORKER_SPARE)));
            default -> throw new IllegalStateException(ROLE + "=" + role + " is not a role this polyserve knows");
        });
    }
}
