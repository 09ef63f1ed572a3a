package dev.polyserve.cli.bench;

import dev.polyserve.core.Engines;
import dev.polyserve.loadgen.EchoLoad;
import dev.polyserve.loadgen.EchoLoadResult;
import dev.polyserve.loadgen.EchoLoadSpec;
import dev.polyserve.loadgen.ProgressDisplay;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code polyserve bench lab}: every model through the same scenarios, each server in its own JVM, written up as
 * a Markdown report with SVG charts (throughput and p99 latency vs connections, server CPU per message, memory
 * per idle connection).
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"The model lab: starts an echo server per model (its own JVM), holds --idle connections on it while fresh (memory per "
                + "connection), runs echo ping-pong at each --connections level, then writes DIR/README.md and SVG charts.",
                "One progress line per step goes to stderr. Defaults take a few minutes on 2 cores; 10,000 connections need "
                        + "`ulimit -n 20000` in this shell (servers inherit it); levels that do not fit are skipped and said so."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:report written", "1:no model could be measured", "2:bad options"})
final class LabCommand implements Callable<Integer> {
    /**
     * Models that cannot take every level, and why: the iterative server serves one connection at a time (the rest
     * wait in the accept queue), select refuses descriptors past FD_SETSIZE, the process model starts a JVM per
     * connection. Their levels stop here; the report says so.
     */
    static final Map<String, Integer> MAX_CONNECTIONS = Map.of("iterative", 10, "select", 1_000, "process", 10);
    /** Left out unless named in --models: a JVM per connection makes every level minutes long. */
    static final List<String> OPT_IN = List.of("process");
    /** Idle connections are checked with one echo each; a server that has not served it by then is counted as not holding it. */
    static final int IDLE_ECHO_TIMEOUT_MILLIS = 5_000;

    /** Sub-directory of --out with each server's stderr. */
    static final String LOGS = "logs";

    @Option(names = "--models", split = ",", paramLabel = "MODEL", description = "Models to run (default: every available one but process).")
    List<String> models;

    @Option(names = "--connections", split = ",", paramLabel = "N", defaultValue = "10,100,1000,10000",
            description = "Echo ping-pong levels (default: ${DEFAULT-VALUE}).")
    List<Integer> levels;

    @Option(names = "--idle", paramLabel = "N", defaultValue = "2000", description = "Idle connections held to measure memory per connection; 0 skips (default: ${DEFAULT-VALUE}).")
    int idle;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", defaultValue = "1.5", description = "Measured seconds per level (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1", description = "Unrecorded seconds before each level (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64", description = "Echo message size (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "lab-report", description = "Where the report and charts go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec command;

    /** One model's figures; NaN where a level was skipped or nothing was served. */
    record ModelRun(String model, double startSeconds, Map<Integer, EchoLoadResult> echo, Map<Integer, String> skipped,
                    long idleHeld, double idleBytesPerConnection, String idleStop, String error) {}

    @Override
    public Integer call() throws Exception {
        List<String> chosen = models != null ? models : Engines.all().stream().filter(Engines.Listing::available)
                .map(Engines.Listing::name).filter(m -> !OPT_IN.contains(m)).toList();
        for (String m : chosen) {
            if (Engines.all().stream().noneMatch(l -> l.name().equals(m) && l.available())) {
                command.commandLine().getErr().println("polyserve bench lab: no available model '" + m + "' (see `polyserve models`)");
                return 2;
            }
        }
        if (levels.stream().anyMatch(n -> n < 1 || n > EchoLoadSpec.MAX_CONNECTIONS) || idle < 0 || duration <= 0 || warmup < 0 || size < 1) {
            command.commandLine().getErr().println("polyserve bench lab: connections must be 1.." + EchoLoadSpec.MAX_CONNECTIONS
                    + ", --idle >= 0, --duration > 0, --warmup >= 0, --size >= 1");
            return 2;
        }
        Files.createDirectories(out);
        Path logs = Files.createDirectories(out.resolve(LOGS)); // each server's stderr, apart from the report
        long fdLimit = fdLimit();
        int steps = chosen.size() * (levels.size() + (idle > 0 ? 1 : 0));
        int step = 0;
        List<ModelRun> runs = new ArrayList<>();
        Instant began = Instant.now();
        String loadBefore = loadAverage();
        for (String model : chosen) {
            Map<Integer, EchoLoadResult> echo = new LinkedHashMap<>();
            Map<Integer, String> skipped = new LinkedHashMap<>();
            long held = 0;
            double perConnection = Double.NaN;
            String idleStop = null;
            String error = null;
            try (LabServer server = LabServer.start(model, logs.resolve(model + ".log"))) {
                if (idle > 0) {
                    step++;
                    int n = idle;
                    String why = skipReason(model, n, fdLimit);
                    if (why != null) {
                        progress(step, steps, model + " idle x" + n + ": skipped (" + why + ")");
                    } else {
                        long before = server.residentBytes();
                        List<Socket> sockets = new ArrayList<>();
                        try {
                            String[] stop = new String[1];
                            held = holdIdle(server.address, n, sockets, stop);
                            idleStop = stop[0];
                            long after = server.residentBytes();
                            if (held > 0) perConnection = (after - before) / (double) held;
                        } finally {
                            for (Socket s : sockets) s.close();
                        }
                        progress(step, steps, String.format(Locale.ROOT, "%s idle: %,d held, %s RSS per connection%s", model, held,
                                Double.isNaN(perConnection) ? "-" : String.format(Locale.ROOT, "%.1f KiB", perConnection / 1024),
                                idleStop == null ? "" : " (stopped: " + idleStop + ")"));
                    }
                }
                for (int n : levels) {
                    step++;
                    String why = skipReason(model, n, fdLimit);
                    if (why != null) {
                        skipped.put(n, why);
                        progress(step, steps, model + " echo x" + n + ": skipped (" + why + ")");
                        continue;
                    }
                    EchoLoadSpec spec = new EchoLoadSpec(server.address, n, size, 1, seconds(warmup), seconds(duration),
                            EchoLoadSpec.DEFAULT_CONNECT_TIMEOUT, EchoLoadSpec.defaultLoops(n), OptionalLong.of(server.pid()), 0);
                    EchoLoadResult r = EchoLoad.run(spec, ProgressDisplay.NONE);
                    echo.put(n, r);
                    progress(step, steps, String.format(Locale.ROOT, "%s echo x%,d: %,.0f msgs/s, p99 %.0f us, %s", model, n,
                            r.messagesPerSecond(), r.latency().p99() / 1e3,
                            r.messagesPerServerCpuSecond().isPresent() ? String.format(Locale.ROOT, "%,.0f msgs per server CPU-s",
                                    r.messagesPerServerCpuSecond().getAsDouble()) : "no server CPU"));
                }
                runs.add(new ModelRun(model, server.startSeconds, echo, skipped, held, perConnection, idleStop, null));
            } catch (IOException | RuntimeException e) {
                error = e.getMessage();
                progress(step, steps, model + ": failed: " + error);
                runs.add(new ModelRun(model, Double.NaN, echo, skipped, held, perConnection, idleStop, error));
            }
        }
        LabReport report = new LabReport(runs, levels, idle, size, warmup, duration, began, Duration.between(began, Instant.now()),
                loadBefore, loadAverage(), ownArgs(command.commandLine().getParseResult().originalArgs()));
        report.write(out);
        PrintWriter stdout = command.commandLine().getOut();
        stdout.println("lab report: " + out.resolve(LabReport.REPORT));
        stdout.flush();
        return runs.stream().anyMatch(r -> !r.echo().isEmpty()) ? 0 : 1;
    }

    /** The options after {@code lab}: the original arguments also hold the parent commands' names. */
    static String ownArgs(List<String> original) {
        int at = original.indexOf("lab");
        return String.join(" ", original.subList(at + 1, original.size()));
    }

    /** Why this model does not run {@code n} connections here, or null when it does. */
    static String skipReason(String model, int n, long fdLimit) {
        Integer cap = MAX_CONNECTIONS.get(model);
        if (cap != null && n > cap) return "the lab runs " + model + " up to " + cap + " connections";
        if (fdLimit > 0 && n + 64 > fdLimit) return "ulimit -n is " + fdLimit;
        return null;
    }

    /**
     * Opens {@code n} connections, echoes one line on each so the server has really taken it on, and returns how many did;
     * {@code stop[0]} gets the reason when it stopped short (a bounded pool refuses past its bound, by design).
     */
    private static long holdIdle(InetSocketAddress address, int n, List<Socket> sockets, String[] stop) {
        long held = 0;
        byte[] line = "idle\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            try {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(address, IDLE_ECHO_TIMEOUT_MILLIS);
                s.setSoTimeout(IDLE_ECHO_TIMEOUT_MILLIS);
                s.getOutputStream().write(line);
                if (s.getInputStream().readNBytes(line.length).length != line.length) {
                    stop[0] = "closed by the server";
                    break;
                }
                held++;
            } catch (IOException refusedOrSilent) {
                stop[0] = refusedOrSilent.toString();
                break; // the server holds no more: what it holds so far is the figure
            }
        }
        return held;
    }

    private static void progress(int step, int steps, String what) {
        System.err.printf(Locale.ROOT, "[%d/%d] %s%n", step, steps, what);
        System.err.flush();
    }

    private static long fdLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? 0 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // unknown: try every level
        }
        return 0;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException notLinux) {
            return "unknown";
        }
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
