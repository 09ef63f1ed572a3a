package dev.polyserve.cli.bench;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Processes vs threads vs virtual threads, in memory and start cost: first the bare primitive in this JVM (start
 * and finish N of them), then the models built on them: RSS per idle connection, and the wall time and server CPU
 * of a connection that carries one echo and closes (so the per-connection start is the work).
 */
final class SpawnScenario extends PerModelScenario<SpawnScenario.Run> {
    static final String NAME = "spawn";
    static final String START_CHART = "spawn-start.svg";
    static final String MEMORY_CHART = "spawn-memory.svg";
    static final List<String> MODELS = List.of("threads", "virtual", "process");
    /** Idle connections held per model for its memory figure: a process per connection is a JVM each, so few. */
    static final Map<String, Integer> IDLE = Map.of("threads", 1_000, "virtual", 1_000, "process", 8);
    /**
     * Connections opened one after another (connect, one echo, close) per model for the start-cost figure: a JVM per
     * connection takes a second or more each on a loaded 2-core machine, so few for process.
     */
    static final Map<String, Integer> SEQUENTIAL = Map.of("threads", 500, "virtual", 500, "process", 4);
    /** A child JVM's first echo can take seconds on a loaded machine. */
    static final int ECHO_TIMEOUT_MILLIS = 30_000;
    static final int THREADS = 2_000;
    static final int PROCESSES = 20;

    record Primitive(String what, int count, double microsEach) {}

    /** {@code connections} served one after another, taking {@code seconds} of wall time and {@code serverCpuSeconds}. */
    record Sequential(int connections, double seconds, double serverCpuSeconds) {
        double wallMicrosEach() {
            return seconds / connections * 1e6;
        }

        double cpuMicrosEach() {
            return serverCpuSeconds / connections * 1e6;
        }
    }

    record Run(String model, long held, double kibPerConnection, Sequential sequential, String error) {}

    SpawnScenario() {
        super(NAME, MODELS);
    }

    /** The primitives' step, then one per model. */
    @Override
    public int steps(Lab lab) {
        return 1 + super.steps(lab);
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        List<Primitive> primitives = new ArrayList<>();
        try {
            primitives.add(threads("platform thread", Thread.ofPlatform()));
            primitives.add(threads("virtual thread", Thread.ofVirtual()));
            primitives.add(processes());
            lab.progress(String.format(Locale.ROOT, "spawn: start+finish %s", String.join(", ",
                    primitives.stream().map(p -> String.format(Locale.ROOT, "%s %.1f us", p.what(), p.microsEach())).toList())));
        } catch (IOException e) {
            lab.progress("spawn: primitives failed: " + e.getMessage());
        }
        return section(primitives, runEach(lab));
    }

    private static Primitive threads(String what, Thread.Builder builder) throws InterruptedException {
        for (int round = 0; ; round++) { // the first round warms up the JIT and the carrier pool; the second is the figure
            CountDownLatch done = new CountDownLatch(THREADS);
            long t0 = System.nanoTime();
            for (int i = 0; i < THREADS; i++) builder.start(done::countDown);
            done.await();
            double each = (System.nanoTime() - t0) / 1e3 / THREADS;
            if (round == 1) return new Primitive(what, THREADS, each);
        }
    }

    /** {@code /bin/true} through ProcessBuilder: fork/exec and reap, the cheapest process there is (a JVM is far more). */
    private static Primitive processes() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < PROCESSES; i++) new ProcessBuilder("true").start().waitFor();
        return new Primitive("process (true)", PROCESSES, (System.nanoTime() - t0) / 1e3 / PROCESSES);
    }

    @Override
    Run measure(Lab lab, String model) throws IOException, InterruptedException {
        List<Socket> sockets = new ArrayList<>();
        try (LabServer server = lab.echoServer(NAME, model)) {
            int n = IDLE.get(model);
            long before = server.residentBytes();
            String stop = Lab.holdIdle(server.address, n, sockets);
            long held = sockets.size();
            double kib = held == 0 ? Double.NaN : (server.residentBytes() - before) / 1024.0 / held;
            Lab.closeAll(sockets);
            Sequential seq = sequential(server, SEQUENTIAL.get(model));
            Run run = new Run(model, held, kib, seq, stop);
            lab.progress(String.format(Locale.ROOT, "spawn %s: %s KiB per idle connection (%,d held), %,.0f us per connection (connect, echo, close), "
                    + "%,.0f us server CPU per connection", model, Lab.fmt(kib, "%,.1f"), held, seq.wallMicrosEach(), seq.cpuMicrosEach()));
            return run;
        } finally {
            Lab.closeAll(sockets);
        }
    }

    @Override
    Run failed(String model, String error) {
        return new Run(model, 0, Double.NaN, null, error);
    }

    /** {@code n} connections one after another, each: connect, echo one line, close; the server's CPU over all of them. */
    private static Sequential sequential(LabServer server, int n) throws IOException {
        byte[] line = "spawn\n".getBytes(StandardCharsets.US_ASCII);
        double cpu0 = server.cpuSeconds();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket()) {
                s.connect(server.address, ECHO_TIMEOUT_MILLIS);
                s.setSoTimeout(ECHO_TIMEOUT_MILLIS);
                s.getOutputStream().write(line);
                if (s.getInputStream().readNBytes(line.length).length != line.length) throw new IOException("connection " + (i + 1) + " closed before its echo");
            }
        }
        return new Sequential(n, (System.nanoTime() - t0) / 1e9, server.cpuSeconds() - cpu0);
    }

    private static LabSection section(List<Primitive> primitives, List<Run> runs) {
        // A JVM per connection costs thousands of times a thread: log axes, so the threads' and virtual threads' bars show.
        SvgBars start = new SvgBars("Start cost: server CPU per connection (connect, one echo, close)", "server CPU (us) per connection", true);
        SvgBars memory = new SvgBars("Server memory per idle connection", "RSS KiB per connection", true);
        StringBuilder md = new StringBuilder("The primitives, in this JVM: start and finish each (a latch counts them down), second round of two.\n\n"
                + "| primitive | count | us each |\n|---|---|---|\n");
        for (Primitive p : primitives) md.append(String.format(Locale.ROOT, "| %s | %,d | %,.1f |%n", p.what(), p.count(), p.microsEach()));
        md.append(String.format(Locale.ROOT, "%nThe models built on them: memory is the server's RSS grown per idle connection held (threads and virtual: "
                + "%,d; process: %,d, each a JVM); start cost is connections opened one after another "
                + "(threads and virtual: %,d; process: %,d), each connect, echo one line, close: wall time and server CPU per connection.%n%n"
                + "![start](%s)%n![memory](%s)%n%n| model | idle held | RSS KiB per idle conn | us per connection (wall) | server CPU us per connection |%n"
                + "|---|---|---|---|---|%n", IDLE.get("threads"), IDLE.get("process"), SEQUENTIAL.get("threads"), SEQUENTIAL.get("process"), START_CHART, MEMORY_CHART));
        for (Run r : runs) {
            if (r.sequential() == null) {
                md.append(Lab.failedRow(r.model(), r.error(), 3));
                continue;
            }
            start.bar(r.model(), r.sequential().cpuMicrosEach(), String.format(Locale.ROOT, "%,.0f us", r.sequential().cpuMicrosEach()));
            memory.bar(r.model(), Math.max(0, r.kibPerConnection()), Lab.fmt(r.kibPerConnection(), "%,.1f KiB")); // RSS may shrink: a zero bar
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %,.0f | %,.0f |%n", r.model(), r.held(), Lab.fmt(r.kibPerConnection(), "%,.1f"),
                    r.sequential().wallMicrosEach(), r.sequential().cpuMicrosEach()));
        }
        Map<String, String> charts = new LinkedHashMap<>();
        charts.put(START_CHART, start.render());
        charts.put(MEMORY_CHART, memory.render());
        return new LabSection(NAME, "Processes vs threads vs virtual threads: memory and start cost", md.toString(), charts);
    }
}
