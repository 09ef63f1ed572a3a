package dev.polyserve.cli;

import dev.polyserve.process.ExecServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code polyserve serve exec --port P -- COMMAND [ARGS...]}: any program serves each connection (tcpserver). */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run COMMAND for each connection, its stdin/stdout carrying the connection's bytes (like ucspi-tcp's tcpserver).",
                "The environment names the peer: TCPREMOTEIP, TCPREMOTEPORT, TCPLOCALIP, TCPLOCALPORT, PROTO=TCP.",
                "Example: polyserve serve exec --port 7000 -- /bin/cat"})
final class ServeExecCommand implements Callable<Integer> {

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", required = true, description = "Port to listen on; 0 picks a free one.")
    int port;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + ExecServer.DEFAULT_MAX_CONNECTIONS,
            description = "Children running at once; a connection beyond it is closed with a log line (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "5s", converter = Sizes.DurationConverter.class,
            description = "On SIGINT/SIGTERM, how long children get after SIGTERM before SIGKILL (default: ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The program and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        ExecServer server = ExecServer.start(new ExecServer.Options(host, port, maxConnections, command));
        try {
            ServePipeline.announce(System.out, server.localAddress(), "exec", "process", "tcp");
            Signals.awaitTermination();
            return 0;
        } finally {
            server.stop(shutdownGrace);
        }
    }
}
