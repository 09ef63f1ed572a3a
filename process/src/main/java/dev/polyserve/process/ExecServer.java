package dev.polyserve.process;

import dev.polyserve.core.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code polyserve serve exec}: any program serves each connection, like ucspi-tcp's {@code tcpserver}. The
 * program's stdin is the peer's bytes, its stdout goes back to the peer, its stderr is the server's stderr, and
 * its environment names the peer ({@code TCPREMOTEIP}, {@code TCPREMOTEPORT}, {@code TCPLOCALIP},
 * {@code TCPLOCALPORT}, {@code PROTO=TCP}).
 *
 * <pre>{@code
 * ExecServer s = ExecServer.start(new ExecServer.Options("127.0.0.1", 0, 100, List.of("/bin/cat")));
 * }</pre>
 */
public final class ExecServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecServer.class);

    /** Listen backlog: the kernel caps it at net.core.somaxconn anyway; tcpserver uses 20, we favour bursts. */
    static final int BACKLOG = 1024;
    /**
     * Default concurrent children: tcpserver's default is 40; a child process costs megabytes and a PID, so a
     * small cap protects the machine. Raise it with {@code --max-connections}.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 40;

    /**
     * @param host           address to listen on
     * @param port           port, 0 for any free one
     * @param maxConnections children alive at once; a connection beyond it is closed at once with a log line
     * @param command        the program and its arguments
     */
    public record Options(String host, int port, int maxConnections, List<String> command) {
        public Options {
            Objects.requireNonNull(host, "host");
            command = List.copyOf(command);
            if (command.isEmpty()) throw new IllegalArgumentException("exec needs a command to run for each connection");
            if (maxConnections < 1) throw new IllegalArgumentException("--max-connections must be at least 1");
        }
    }

    private final ChildPerConnection children;
    private final ServerStats stats;

    private ExecServer(ChildPerConnection children, ServerStats stats) {
        this.children = children;
        this.stats = stats;
    }

    /**
     * Checks the command, binds and starts accepting.
     *
     * @throws IllegalArgumentException when the command does not exist or is not executable (one clear sentence)
     * @throws IOException              when the address cannot be bound
     */
    public static ExecServer start(Options options) throws IOException {
        List<String> command = options.command();
        Path program = resolve(command.getFirst());
        List<String> argv = new java.util.ArrayList<>(command);
        argv.set(0, program.toString());
        ServerStats stats = new ServerStats();
        var settings = new ChildPerConnection.Settings("exec", new InetSocketAddress(options.host(), options.port()),
                BACKLOG, options.maxConnections(), null);
        ChildPerConnection server = new ChildPerConnection(settings, peer -> {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(peer.environment());
            return pb.start();
        }, stats);
        server.start();
        log.info("exec: each connection runs {}", String.join(" ", argv));
        return new ExecServer(server, stats);
    }

    /**
     * The program to run, as a path: a name with a slash must be an executable file; a bare name is looked up
     * in {@code PATH} like a shell does.
     */
    static Path resolve(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!Files.exists(p)) throw new IllegalArgumentException("exec: command not found: " + program);
            if (Files.isDirectory(p) || !Files.isExecutable(p)) {
                throw new IllegalArgumentException("exec: not an executable file: " + program);
            }
            return p.toAbsolutePath();
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        throw new IllegalArgumentException("exec: command not found in PATH: " + program);
    }

    public InetSocketAddress localAddress() {
        return children.localAddress();
    }

    public ServerStats stats() {
        return stats;
    }

    /** Children running right now. */
    public int activeChildren() {
        return children.activeChildren();
    }

    /** Their process ids (tests check them in /proc). */
    public Set<Long> childPids() {
        return children.childPids();
    }

    /** Stops accepting; children get SIGTERM, then SIGKILL after {@code grace}; returns when all are reaped. */
    public void stop(Duration grace) {
        children.shutdown(grace);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
