package dev.polyserve.cli.bench;

import dev.polyserve.cli.ProgressLine;
import dev.polyserve.loadgen.EchoLoad;
import dev.polyserve.loadgen.EchoLoadResult;
import dev.polyserve.loadgen.EchoLoadSpec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/** {@code polyserve bench echo}: closed-loop echo load over N connections. */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = {
                "Echo load: each connection sends a message and waits for its echo (or keeps --depth messages in flight), "
                        + "for --duration seconds after a --warmup.",
                "Prints msgs/s, MB/s, p50/p99/p99.9 latency, the server's CPU time (--server-pid: its whole process tree, "
                        + "from /proc) and one summary line starting with RESULT. A progress bar goes to stderr when it is a terminal.",
                "10,000 connections need `ulimit -n 20000` (or more) in the shells of both server and load generator."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:measured", "1:no connection or no echo completed, or an echo came back wrong", "2:bad options"})
final class EchoBenchCommand implements Callable<Integer> {
    @Option(paramLabel = "HOST", names = "--host", defaultValue = "127.0.0.1", description = "Server host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(paramLabel = "PORT", names = "--port", required = true, description = "Server port.")
    int port;

    @Option(paramLabel = "N", names = {"-c", "--connections"}, defaultValue = "1", description = "Concurrent connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(paramLabel = "BYTES", names = {"-s", "--size"}, defaultValue = "64", description = "Message size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(paramLabel = "SECONDS", names = {"-d", "--duration"}, defaultValue = "10", description = "Measured seconds, decimals allowed (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(paramLabel = "SECONDS", names = "--warmup", defaultValue = "1", description = "Seconds of unrecorded load first (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(paramLabel = "N", names = "--depth", defaultValue = "1", description = "Messages in flight per connection; 1 = closed loop (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(paramLabel = "N", names = "--threads", description = "Client Selector loops (default: one per core, at most one per connection).")
    Integer threads;

    @Option(paramLabel = "SECONDS", names = "--connect-timeout", defaultValue = "5",
            description = "Seconds to wait for all connections before starting with those connected (default: ${DEFAULT-VALUE}).")
    double connectTimeoutSeconds;

    @Option(paramLabel = "N", names = "--messages-per-connection", defaultValue = "0",
            description = "Close each connection after N echoes and open a new one; 1 measures connection set-up cost "
                    + "(new connections/s, connect-to-first-echo time). 0 keeps connections open (default: ${DEFAULT-VALUE}).")
    int messagesPerConnection;

    @Option(paramLabel = "PID", names = "--server-pid", description = "Server process id: report its process tree's CPU time and msgs per server CPU-second.")
    Long serverPid;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        EchoLoadSpec spec;
        try {
            spec = new EchoLoadSpec(new InetSocketAddress(host, port), connections, size, depth, seconds(warmupSeconds),
                    seconds(durationSeconds), seconds(connectTimeoutSeconds),
                    threads != null ? threads : EchoLoadSpec.defaultLoops(connections),
                    serverPid != null ? OptionalLong.of(serverPid) : OptionalLong.empty(), messagesPerConnection);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
        EchoLoadResult result;
        try {
            result = EchoLoad.run(spec, new EchoProgress(quiet ? ProgressLine.quiet() : ProgressLine.onStderr()));
        } catch (IllegalArgumentException e) {
            command.commandLine().getErr().println("polyserve bench echo: " + e.getMessage());
            return 2;
        }
        PrintWriter out = command.commandLine().getOut();
        out.print(result.report());
        out.println(result.summaryLine());
        out.flush();
        boolean measured = result.connected() > 0 && result.messages() > 0 && result.corrupt() == 0;
        return measured ? 0 : 1;
    }

    private static Duration seconds(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) throw new IllegalArgumentException("not a number of seconds: " + seconds);
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
