package dev.polyserve.cli.bench;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * "A non-blocking loop without readiness notification spins": the server's CPU while it holds idle connections and
 * nothing happens. The nonblocking model tries every socket in turn and backs off (50 us doubling to 5 ms) when a
 * pass finds nothing; the readiness and blocking models sleep in the kernel until a byte arrives.
 */
final class SpinScenario extends PerModelScenario<SpinScenario.Run> {
    static final String NAME = "spin";
    static final String CHART = "idle-cpu.svg";
    static final List<String> MODELS = List.of("nonblocking", "select", "poll", "epoll", "nio", "threads", "virtual");
    static final int IDLE = 100;
    /** After the idle echoes, before the sample: lets the JIT and the loop's back-off settle. */
    static final Duration SETTLE = Duration.ofMillis(500);

    private final Duration window;

    SpinScenario(Duration window) {
        super(NAME, MODELS);
        this.window = window;
    }

    record Run(String model, double corePercent, String error) {}

    @Override
    Run measure(Lab lab, String model) throws IOException, InterruptedException {
        List<Socket> sockets = new ArrayList<>();
        try (LabServer server = lab.echoServer(NAME, model)) {
            String stop = Lab.holdIdle(server.address, IDLE, sockets);
            if (stop != null) throw new IOException("held only " + sockets.size() + " idle connections: " + stop);
            Thread.sleep(SETTLE);
            double before = server.cpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep(window);
            double percent = (server.cpuSeconds() - before) / ((System.nanoTime() - t0) / 1e9) * 100;
            lab.progress(String.format(Locale.ROOT, "spin %s: %.1f %% of a core with %d idle connections", model, percent, IDLE));
            return new Run(model, percent, null);
        } finally {
            Lab.closeAll(sockets);
        }
    }

    @Override
    Run failed(String model, String error) {
        return new Run(model, Double.NaN, error);
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        List<Run> runs = runEach(lab);
        SvgBars bars = new SvgBars("Idle server CPU (" + IDLE + " idle connections, no traffic)", "% of one core");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Each server holds %d idle connections and gets no traffic for %.1f s; its process tree's CPU time over that window "
                        + "(the JVM's own background threads included, the same for every model).%n%n![idle cpu](%s)%n%n| model | %% of a core |%n|---|---|%n",
                IDLE, window.toMillis() / 1e3, CHART));
        for (Run r : runs) {
            bars.bar(r.model(), r.corePercent(), Lab.fmt(r.corePercent(), "%.1f %%"));
            md.append("| ").append(r.model()).append(" | ").append(r.error() != null ? "failed: " + Lab.cell(r.error()) : Lab.fmt(r.corePercent(), "%.1f")).append(" |\n");
        }
        return new LabSection(NAME, "The non-blocking loop's CPU when idle", md.toString(), Map.of(CHART, bars.render()));
    }
}
