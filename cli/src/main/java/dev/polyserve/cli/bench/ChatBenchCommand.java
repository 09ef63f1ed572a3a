package dev.polyserve.cli.bench;

import dev.polyserve.cli.ProgressLine;
import dev.polyserve.loadgen.chat.ChatLoad;
import dev.polyserve.loadgen.chat.ChatLoadResult;
import dev.polyserve.loadgen.chat.ChatLoadSpec;

import dev.polyserve.core.auth.HmacKey;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code polyserve bench chat}: a room full of members all talking; deliveries/s and delivery latency. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {
                "Chat load: --clients members join the room at --host:--port, then each sends --messages lines at --rate lines/s while reading everyone else's.",
                "Prints deliveries/s, delivery latency percentiles (from each line's scheduled send time), lines missing or out of order, members dropped, the server's CPU time (--server-pid: its whole process tree) and a one-line summary starting RESULT.",
                "Start the server with flood control off: polyserve serve chat --lines-per-second 0 ..."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every line delivered once, in order", "1:lines missing, out of order, or members dropped", "2:bad options or no room"})
public final class ChatBenchCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", required = true, split = ",", paramLabel = "PORT[,PORT...]",
            description = "Server port; several (comma-separated) for the nodes of one room (--bus): members are dealt over them in turn.")
    List<Integer> ports;

    @Option(names = {"-c", "--clients"}, defaultValue = "" + ChatLoadSpec.DEFAULT_CLIENTS, description = "Members (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = {"-n", "--messages"}, defaultValue = "" + ChatLoadSpec.DEFAULT_MESSAGES, description = "Lines per member (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = {"-r", "--rate"}, defaultValue = "" + ChatLoadSpec.DEFAULT_RATE_PER_CLIENT,
            description = "Lines per second per member; 0 = unpaced (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--drain-timeout", defaultValue = "30", description = "Seconds to wait for late deliveries after the last send (default: ${DEFAULT-VALUE}).")
    double drainSeconds;

    @Option(names = "--auth-key-file", description = "Answer the server's HMAC gate with this key.")
    Path authKeyFile;

    @Option(names = "--server-pid", split = ",", paramLabel = "PID[,PID...]",
            description = "Server process id(s): report their process trees' CPU time and deliveries per server CPU-second.")
    List<Long> serverPids = List.of();

    @Option(names = "--websocket", paramLabel = "PATH",
            description = "Join as browser members through the chat page's WebSocket at PATH on --port (serve chat --web-port: /ws).")
    String webSocketPath;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec command;

    /** Runs without the rest of the CLI: {@code java -cp polyserve.jar dev.polyserve.cli.bench.ChatBenchCommand --port P}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ChatBenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = command.commandLine().getErr();
        ChatLoadSpec spec;
        try {
            spec = new ChatLoadSpec(ports.stream().map(p -> new InetSocketAddress(host, p)).toList(), clients, messages, rate,
                    Duration.ofNanos(Math.round(drainSeconds * 1e9)),
                    authKeyFile == null ? null : HmacKey.read("user", authKeyFile), serverPids, webSocketPath);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new ParameterException(command.commandLine(), dev.polyserve.cli.Main.describe(e));
        }
        ChatLoadResult result;
        try {
            result = ChatLoad.run(spec, new ChatProgress(quiet ? ProgressLine.quiet() : ProgressLine.onStderr()));
        } catch (java.io.IOException e) {
            err.println("polyserve bench chat: " + e.getMessage());
            return 2;
        }
        PrintWriter out = command.commandLine().getOut();
        out.print(result.report());
        out.println(result.summaryLine());
        out.flush();
        return result.missing() == 0 && result.outOfOrder() == 0 && result.dropped() == 0 ? 0 : 1;
    }
}
