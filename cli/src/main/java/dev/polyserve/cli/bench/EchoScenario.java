package dev.polyserve.cli.bench;

import dev.polyserve.core.Engines;
import dev.polyserve.loadgen.EchoLoad;
import dev.polyserve.loadgen.EchoLoadResult;
import dev.polyserve.loadgen.EchoLoadSpec;
import dev.polyserve.loadgen.ProgressDisplay;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Every model through echo ping-pong at each --connections level, after holding --idle connections on the fresh
 * server (memory per connection); the io_uring vs epoll comparison is read from the same runs.
 */
final class EchoScenario implements LabScenario {
    static final String NAME = "echo";
    static final String THROUGHPUT = "throughput.svg";
    static final String P99 = "p99.svg";
    static final String CPU = "cpu-per-message.svg";
    static final String MEMORY = "memory-per-connection.svg";
    static final String URING = "uring-vs-epoll.svg";
    /**
     * Models that cannot take every level, and why: the iterative server serves one connection at a time (the rest
     * wait in the accept queue), select refuses descriptors past FD_SETSIZE, the process model starts a JVM per
     * connection. Their levels stop here; the report says so.
     */
    static final Map<String, Integer> MAX_CONNECTIONS = Map.of("iterative", 10, "select", 1_000, "process", 10);
    /** Left out unless named in --models: a JVM per connection makes every level minutes long (the spawn scenario measures it). */
    static final List<String> OPT_IN = List.of("process");

    /** One model's figures; NaN where nothing was measured. */
    record ModelRun(String model, double startSeconds, Map<Integer, EchoLoadResult> echo, Map<Integer, String> skipped,
                    long idleHeld, double idleBytesPerConnection, String idleStop, String error) {}

    private final List<Integer> levels;
    private final int idle;

    EchoScenario(List<Integer> levels, int idle) {
        this.levels = List.copyOf(levels);
        this.idle = idle;
    }

    @Override
    public String name() {
        return NAME;
    }

    List<String> models(Lab lab) {
        List<String> all = Engines.all().stream().map(Engines.Listing::name).filter(m -> lab.modelsGiven || !OPT_IN.contains(m)).toList();
        return lab.models(all);
    }

    @Override
    public int steps(Lab lab) {
        return models(lab).size() * (levels.size() + (idle > 0 ? 1 : 0));
    }

    /** Why this model does not run {@code n} connections here, or null when it does. */
    static String skipReason(String model, int n, long fdLimit) {
        Integer cap = MAX_CONNECTIONS.get(model);
        if (cap != null && n > cap) return "the lab runs " + model + " up to " + cap + " connections";
        if (fdLimit > 0 && n + Lab.FD_HEADROOM > fdLimit) return "ulimit -n is " + fdLimit;
        return null;
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        List<ModelRun> runs = new ArrayList<>();
        for (String model : models(lab)) runs.add(runModel(lab, model));
        return section(lab, runs);
    }

    private ModelRun runModel(Lab lab, String model) throws InterruptedException {
        Map<Integer, EchoLoadResult> echo = new LinkedHashMap<>();
        Map<Integer, String> skipped = new LinkedHashMap<>();
        long held = 0;
        double perConnection = Double.NaN;
        String idleStop = null;
        try (LabServer server = lab.echoServer(NAME, model)) {
            if (idle > 0) {
                String why = skipReason(model, idle, lab.fdLimit);
                if (why != null) {
                    lab.progress(model + " idle x" + idle + ": skipped (" + why + ")");
                } else {
                    long before = server.residentBytes();
                    List<Socket> sockets = new ArrayList<>();
                    try {
                        idleStop = Lab.holdIdle(server.address, idle, sockets);
                        held = sockets.size();
                        long after = server.residentBytes();
                        if (held > 0) perConnection = (after - before) / (double) held;
                    } finally {
                        Lab.closeAll(sockets);
                    }
                    lab.progress(String.format(Locale.ROOT, "%s idle: %,d held, %s RSS per connection%s", model, held,
                            Lab.fmt(perConnection / 1024, "%.1f KiB"), idleStop == null ? "" : " (stopped: " + idleStop + ")"));
                }
            }
            for (int n : levels) {
                String why = skipReason(model, n, lab.fdLimit);
                if (why != null) {
                    skipped.put(n, why);
                    lab.progress(model + " echo x" + n + ": skipped (" + why + ")");
                    continue;
                }
                EchoLoadResult r = EchoLoad.run(new EchoLoadSpec(server.address, n, lab.size, 1, lab.warmup, lab.duration,
                        EchoLoadSpec.DEFAULT_CONNECT_TIMEOUT, EchoLoadSpec.defaultLoops(n), OptionalLong.of(server.pid()), 0), ProgressDisplay.NONE);
                echo.put(n, r);
                lab.progress(String.format(Locale.ROOT, "%s echo x%,d: %,.0f msgs/s, p99 %.0f us, %s msgs per server CPU-s", model, n,
                        r.messagesPerSecond(), r.latency().p99() / 1e3, Lab.fmt(r.messagesPerServerCpuSecond().orElse(Double.NaN), "%,.0f")));
            }
            return new ModelRun(model, server.startSeconds, echo, skipped, held, perConnection, idleStop, null);
        } catch (IOException | RuntimeException e) {
            lab.progress(model + ": failed: " + e.getMessage());
            return new ModelRun(model, Double.NaN, echo, skipped, held, perConnection, idleStop, e.getMessage());
        }
    }

    LabSection section(Lab lab, List<ModelRun> runs) {
        SvgChart throughput = new SvgChart("Echo throughput (" + lab.size + " B ping-pong)", "connections", "messages/s", true);
        SvgChart p99 = new SvgChart("Echo p99 round-trip latency", "connections", "p99 (us)", true);
        SvgChart cpu = new SvgChart("Server CPU per message", "connections", "server CPU (us) per message", true);
        // One figure per model, from a few KiB to a few hundred: bars on a log axis, not points joined by lines.
        SvgBars memory = new SvgBars("Server memory per idle connection", "RSS KiB per idle connection", true);
        SvgChart uring = new SvgChart("io_uring vs epoll: server CPU per message", "connections", "server CPU (us) per message", true);
        for (ModelRun run : runs) {
            for (Map.Entry<Integer, EchoLoadResult> e : run.echo().entrySet()) {
                EchoLoadResult r = e.getValue();
                if (r.messages() == 0) continue;
                throughput.point(run.model(), e.getKey(), r.messagesPerSecond());
                p99.point(run.model(), e.getKey(), r.latency().p99() / 1e3);
                if (r.serverCpuSeconds().isPresent()) {
                    double us = r.serverCpuSeconds().getAsDouble() / r.messages() * 1e6;
                    cpu.point(run.model(), e.getKey(), us);
                    if (run.model().startsWith("epoll") || run.model().equals("uring")) uring.point(run.model(), e.getKey(), us);
                }
            }
            if (run.idleHeld() > 0) {
                double kib = run.idleBytesPerConnection() / 1024;
                // RSS can shrink while the connections are held (a GC gave memory back): a zero bar, the figure beside it.
                memory.bar(run.model(), Math.max(0, kib), String.format(Locale.ROOT, "%s (%,d held)", Lab.fmt(kib, "%,.1f KiB"), run.idleHeld()));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Each model runs `polyserve serve echo` in its own JVM; each level is %s B closed-loop ping-pong, "
                + "%.1f s warm-up then %.1f s measured, server CPU from its process tree in /proc. Memory, on the fresh server before any load: its RSS grown "
                + "while %,d idle connections (one echo each, to be sure they are served) are held, divided by those held.%n%n",
                lab.size, lab.warmup.toMillis() / 1e3, lab.duration.toMillis() / 1e3, idle));
        md.append("![throughput](").append(THROUGHPUT).append(")\n![p99](").append(P99).append(")\n![cpu](").append(CPU)
                .append(")\n![memory](").append(MEMORY).append(")\n\n");
        md.append("| model | start (s) |");
        for (int n : levels) md.append(String.format(Locale.ROOT, " x%,d msgs/s · p99 us · msgs/server CPU-s |", n));
        md.append(" idle held | RSS per idle conn |\n|---|---|");
        for (int ignored : levels) md.append("---|");
        md.append("---|---|\n");
        for (ModelRun run : runs) {
            md.append("| ").append(run.model()).append(" | ").append(Lab.fmt(run.startSeconds(), "%.2f")).append(" |");
            for (int n : levels) {
                EchoLoadResult r = run.echo().get(n);
                if (r == null) {
                    md.append(run.skipped().containsKey(n) ? " skipped: " + run.skipped().get(n) + " |" : " - |");
                } else {
                    md.append(String.format(Locale.ROOT, " %,.0f · %,.0f · %s", r.messagesPerSecond(), r.latency().p99() / 1e3,
                            Lab.fmt(r.messagesPerServerCpuSecond().orElse(Double.NaN), "%,.0f")));
                    if (r.served() < r.connected() || r.errors() > 0) {
                        md.append(String.format(Locale.ROOT, " (%,d of %,d served, %,d errors)", r.served(), r.connected(), r.errors()));
                    }
                    md.append(" |");
                }
            }
            md.append(String.format(Locale.ROOT, " %,d%s | %s |", run.idleHeld(), run.idleStop() == null ? "" : " (then " + Lab.cell(run.idleStop()) + ")",
                    Lab.fmt(run.idleBytesPerConnection() / 1024, "%.1f KiB")));
            if (run.error() != null) md.append(" failed: ").append(Lab.cell(run.error()));
            md.append('\n');
        }
        Map<String, String> charts = new LinkedHashMap<>(Map.of(THROUGHPUT, throughput.render(), P99, p99.render(), CPU, cpu.render(), MEMORY, memory.render()));
        if (uring.seriesCount() > 1) {
            md.append("\n### io_uring vs epoll\n\nThe same echo runs, the completion-based `uring` engine beside the readiness-based `epoll` "
                    + "and `epoll-et`: server CPU per message (lower is better).\n\n![uring vs epoll](").append(URING).append(")\n");
            charts.put(URING, uring.render());
        }
        return new LabSection(NAME, "Echo ping-pong on every model", md.toString(), charts);
    }
}
