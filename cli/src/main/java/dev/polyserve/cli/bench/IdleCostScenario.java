package dev.polyserve.cli.bench;

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
 * "poll and select cost grows with the connections watched, epoll's does not": a few active echo connections
 * measured while 0, 1k, 5k, 10k idle ones are held on the same server. select and poll hand the kernel the whole
 * set on every wait and scan it on return (O(n) per wake-up); epoll keeps the set in the kernel and returns only
 * the ready ones.
 */
final class IdleCostScenario implements LabScenario {
    static final String NAME = "idle-cost";
    static final String CPU_CHART = "idle-cost-cpu.svg";
    static final String P99_CHART = "idle-cost-p99.svg";
    static final List<String> MODELS = List.of("select", "poll", "epoll", "uring", "nio");
    /** The busy few: enough to keep the loop waking up all the time, few enough that the idle set dominates each wait. */
    static final int ACTIVE = 10;
    /** select's bitmap holds descriptors below 1,024, the server's own (jars, the listener, the loop) included. */
    static final int SELECT_MAX_IDLE = 900;

    /** One level's measurement: {@code idle} is what was held, below the level asked for when the model is capped there. */
    record Measured(int idle, EchoLoadResult result) {}

    private final List<Integer> idleLevels;

    IdleCostScenario(List<Integer> idleLevels) {
        this.idleLevels = idleLevels.stream().sorted().toList();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int steps(Lab lab) {
        return lab.models(MODELS).size() * idleLevels.size();
    }

    /** The cap on idle connections this model takes, or null. */
    static Integer cap(String model) {
        return model.equals("select") ? SELECT_MAX_IDLE : null;
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        Map<String, Map<Integer, Measured>> results = new LinkedHashMap<>(); // by the level asked for
        Map<String, String> notes = new LinkedHashMap<>();
        for (String model : lab.models(MODELS)) {
            Map<Integer, Measured> byIdle = new LinkedHashMap<>();
            results.put(model, byIdle);
            List<Socket> idle = new ArrayList<>();
            try (LabServer server = lab.echoServer(NAME, model)) {
                for (int wanted : idleLevels) {
                    Integer cap = cap(model);
                    // A model capped below this level is measured once at its cap instead, so its curve has a second point.
                    int level = cap != null && wanted > cap ? cap : wanted;
                    String why = byIdle.values().stream().anyMatch(m -> m.idle() == level) ? model + " is run up to " + cap + " idle connections (FD_SETSIZE 1,024)"
                            : lab.fdShortage(level + ACTIVE);
                    if (why != null) {
                        notes.putIfAbsent(model, why);
                        lab.progress(String.format(Locale.ROOT, "idle-cost %s +%,d idle: skipped (%s)", model, wanted, why));
                        continue;
                    }
                    if (level != wanted) notes.putIfAbsent(model, model + " is run up to " + cap + " idle connections (FD_SETSIZE 1,024)");
                    String stop = Lab.holdIdle(server.address, level - idle.size(), idle);
                    if (stop != null) {
                        notes.put(model, "held " + idle.size() + " idle, then " + stop);
                        lab.progress("idle-cost " + model + ": stopped at " + idle.size() + " idle: " + stop);
                        break;
                    }
                    EchoLoadResult r = EchoLoad.run(new EchoLoadSpec(server.address, ACTIVE, lab.size, 1, lab.warmup, lab.duration,
                            EchoLoadSpec.DEFAULT_CONNECT_TIMEOUT, EchoLoadSpec.defaultLoops(ACTIVE), OptionalLong.of(server.pid()), 0), ProgressDisplay.NONE);
                    byIdle.put(wanted, new Measured(level, r));
                    lab.progress(String.format(Locale.ROOT, "idle-cost %s +%,d idle: %,.0f msgs/s, %s us server CPU per message, p99 %.0f us", model, level,
                            r.messagesPerSecond(), Lab.fmt(cpuMicros(r), "%.1f"), r.latency().p99() / 1e3));
                }
            } catch (IOException | RuntimeException e) {
                notes.put(model, "failed: " + e.getMessage());
                lab.progress("idle-cost " + model + ": failed: " + e.getMessage());
            } finally {
                Lab.closeAll(idle);
            }
        }
        SvgChart cpu = new SvgChart("Cost of idle connections: server CPU per active message", "idle connections held", "server CPU (us) per message", false);
        SvgChart p99 = new SvgChart("Cost of idle connections: p99 of the active ones", "idle connections held", "p99 (us)", false);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%d connections ping-pong %d B messages (%.1f s measured) while the same server holds N idle connections "
                        + "(each echoed once, so it is registered with the loop). Idle connections are added, not reopened, between levels.%n%n"
                        + "![cpu](%s)%n![p99](%s)%n%n", ACTIVE, lab.size, lab.duration.toMillis() / 1e3, CPU_CHART, P99_CHART));
        md.append(table(idleLevels, results, cpu, p99));
        notes.forEach((m, n) -> md.append("\n- ").append(m).append(": ").append(Lab.cell(n)));
        if (!notes.isEmpty()) md.append('\n');
        return new LabSection(NAME, "poll vs epoll: the cost of idle connections", md.toString(), Map.of(CPU_CHART, cpu.render(), P99_CHART, p99.render()));
    }

    /**
     * The report's table and charts: one column and one x tick per level asked for; a capped model's measurement
     * at its cap goes in the column of the level it stood in for, marked "(at N)", and is drawn at N.
     */
    static String table(List<Integer> idleLevels, Map<String, Map<Integer, Measured>> results, SvgChart cpu, SvgChart p99) {
        cpu.xTicks(idleLevels);
        p99.xTicks(idleLevels);
        StringBuilder md = new StringBuilder("| model |");
        for (int level : idleLevels) md.append(String.format(Locale.ROOT, " +%,d idle: us CPU/msg · p99 us |", level));
        md.append("\n|---|");
        for (int ignored : idleLevels) md.append("---|");
        md.append('\n');
        for (var e : results.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            for (int level : idleLevels) {
                Measured m = e.getValue().get(level);
                if (m == null) {
                    md.append(" - |");
                    continue;
                }
                EchoLoadResult r = m.result();
                cpu.point(e.getKey(), m.idle(), cpuMicros(r));
                p99.point(e.getKey(), m.idle(), r.latency().p99() / 1e3);
                md.append(String.format(Locale.ROOT, " %s · %,.0f%s |", Lab.fmt(cpuMicros(r), "%.1f"), r.latency().p99() / 1e3,
                        m.idle() == level ? "" : String.format(Locale.ROOT, " (at %,d)", m.idle())));
            }
            md.append('\n');
        }
        return md.toString();
    }

    static double cpuMicros(EchoLoadResult r) {
        return r.messages() == 0 || r.serverCpuSeconds().isEmpty() ? Double.NaN : r.serverCpuSeconds().getAsDouble() / r.messages() * 1e6;
    }
}
