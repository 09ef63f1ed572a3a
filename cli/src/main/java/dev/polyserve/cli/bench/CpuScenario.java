package dev.polyserve.cli.bench;

import dev.polyserve.loadgen.EchoLoad;
import dev.polyserve.loadgen.EchoLoadResult;
import dev.polyserve.loadgen.EchoLoadSpec;
import dev.polyserve.loadgen.ProgressDisplay;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A CPU-heavy handler ({@link HashingEchoServer}: a fixed number of SHA-256 digests per message) on the models
 * that could use more than one core: the figure is the server's CPU-seconds per second, i.e. the cores it kept
 * busy. One event loop or one accepting thread stays at one core; threads, virtual threads, one loop per core and
 * prefork workers can use all of them.
 */
final class CpuScenario extends PerModelScenario<CpuScenario.Run> {
    static final String NAME = "cpu";
    static final String CHART = "cpu-bound-cores.svg";
    static final List<String> MODELS = List.of("iterative", "threads", "pool", "virtual", "nonblocking", "nio", "epoll", "uring", "prefork");
    /** Enough concurrent clients to keep every core's worth of handler busy, few enough for iterative's queue to be visible. */
    static final int CONNECTIONS = 16;
    /**
     * Warm-up is this many times --warmup: the digest loop runs interpreted in 16 threads until C2 has compiled it,
     * and a 1 s warm-up measured the threads model at a tenth of its speed once (2 cores busy compiling and interpreting).
     */
    static final int WARMUP_FACTOR = 3;

    record Run(String model, EchoLoadResult result, String error) {
        double cores() {
            return result == null || result.serverCpuSeconds().isEmpty() ? Double.NaN : result.serverCpuSeconds().getAsDouble() / result.windowSeconds();
        }
    }

    CpuScenario() {
        super(NAME, MODELS);
    }

    @Override
    Run measure(Lab lab, String model) throws IOException, InterruptedException {
        try (LabServer server = LabServer.start(NAME + " " + model, lab.log(NAME, model), List.of(HashingEchoServer.class.getName(),
                "--host", "127.0.0.1", "--port", "0", "--model", model, "--rounds", "" + HashingEchoServer.DEFAULT_ROUNDS,
                "--message-size", "" + lab.size))) {
            EchoLoadResult r = EchoLoad.run(new EchoLoadSpec(server.address, CONNECTIONS, lab.size, 1, lab.warmup.multipliedBy(WARMUP_FACTOR), lab.duration,
                    EchoLoadSpec.DEFAULT_CONNECT_TIMEOUT, EchoLoadSpec.defaultLoops(CONNECTIONS), OptionalLong.of(server.pid()), 0), ProgressDisplay.NONE);
            Run run = new Run(model, r, null);
            lab.progress(String.format(Locale.ROOT, "cpu %s: %,.0f msgs/s, server busy %.2f cores", model, r.messagesPerSecond(), run.cores()));
            return run;
        }
    }

    @Override
    Run failed(String model, String error) {
        return new Run(model, null, error);
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        List<Run> runs = runEach(lab);
        SvgBars bars = new SvgBars("CPU-bound handler: cores the server kept busy", "server CPU-seconds per second (" + Runtime.getRuntime().availableProcessors() + " cores here)");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Each message costs %d SHA-256 digests of a 64-byte block before it is echoed (`HashingEchoServer`); %d connections "
                        + "ping-pong %d B messages, %.1f s measured after %.1f s of warm-up. *Cores busy* is the server process tree's CPU time divided by the window.%n%n"
                        + "![cores busy](%s)%n%n| model | msgs/s | cores busy | p99 us |%n|---|---|---|---|%n",
                HashingEchoServer.DEFAULT_ROUNDS, CONNECTIONS, lab.size, lab.duration.toMillis() / 1e3, lab.warmup.multipliedBy(WARMUP_FACTOR).toMillis() / 1e3, CHART));
        for (Run run : runs) {
            if (run.result() == null) {
                md.append(Lab.failedRow(run.model(), run.error(), 2));
                continue;
            }
            EchoLoadResult r = run.result();
            bars.bar(run.model(), run.cores(), String.format(Locale.ROOT, "%.2f cores, %s msgs/s", run.cores(), SvgChart.human(r.messagesPerSecond())));
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %,.0f |%n", run.model(), r.messagesPerSecond(), Lab.fmt(run.cores(), "%.2f"), r.latency().p99() / 1e3));
        }
        return new LabSection(NAME, "A CPU-heavy handler: which models use every core", md.toString(), Map.of(CHART, bars.render()));
    }
}
