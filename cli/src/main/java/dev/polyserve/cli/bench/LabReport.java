package dev.polyserve.cli.bench;

import dev.polyserve.loadgen.EchoLoadResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a lab run as {@code README.md} (tables, the exact command, load averages) beside its SVG charts. */
final class LabReport {
    static final String REPORT = "README.md";
    static final String THROUGHPUT = "throughput.svg";
    static final String P99 = "p99.svg";
    static final String CPU = "cpu-per-message.svg";
    static final String MEMORY = "memory-per-connection.svg";
    /** Above this 1-minute load average a figure is marked "loaded machine" (the project's rule for 2 cores). */
    static final double LOADED = 3.0;

    private final List<LabCommand.ModelRun> runs;
    private final List<Integer> levels;
    private final int idle, size;
    private final double warmup, duration;
    private final Instant began;
    private final Duration took;
    private final String loadBefore, loadAfter, args;

    LabReport(List<LabCommand.ModelRun> runs, List<Integer> levels, int idle, int size, double warmup, double duration,
              Instant began, Duration took, String loadBefore, String loadAfter, String args) {
        this.runs = runs;
        this.levels = levels;
        this.idle = idle;
        this.size = size;
        this.warmup = warmup;
        this.duration = duration;
        this.began = began;
        this.took = took;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
        this.args = args;
    }

    void write(Path dir) throws IOException {
        SvgChart throughput = new SvgChart("Echo throughput (" + size + " B ping-pong)", "connections", "messages/s", true);
        SvgChart p99 = new SvgChart("Echo p99 round-trip latency", "connections", "p99 (us)", true);
        SvgChart cpu = new SvgChart("Server CPU per message", "connections", "server CPU (us) per message", true);
        SvgChart memory = new SvgChart("Server memory per idle connection", "idle connections held", "RSS KiB per connection", true);
        for (LabCommand.ModelRun run : runs) {
            for (Map.Entry<Integer, EchoLoadResult> e : run.echo().entrySet()) {
                EchoLoadResult r = e.getValue();
                if (r.messages() == 0) continue;
                throughput.point(run.model(), e.getKey(), r.messagesPerSecond());
                p99.point(run.model(), e.getKey(), r.latency().p99() / 1e3);
                if (r.serverCpuSeconds().isPresent()) cpu.point(run.model(), e.getKey(), r.serverCpuSeconds().getAsDouble() / r.messages() * 1e6);
            }
            if (run.idleHeld() > 0) memory.point(run.model(), run.idleHeld(), run.idleBytesPerConnection() / 1024);
        }
        Files.writeString(dir.resolve(THROUGHPUT), throughput.render());
        Files.writeString(dir.resolve(P99), p99.render());
        Files.writeString(dir.resolve(CPU), cpu.render());
        Files.writeString(dir.resolve(MEMORY), memory.render());
        Files.writeString(dir.resolve(REPORT), markdown());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Model lab: every model, the same echo work\n\n");
        md.append(String.format(Locale.ROOT, "Run %s, %d s in all. Load average (1, 5, 15 min) before: %s, after: %s%s.%n%n",
                began.toString().replaceAll("\\.\\d+Z$", "Z"), took.toSeconds(), loadBefore, loadAfter, loaded() ? " (**loaded machine**)" : ""));
        md.append("Command: `polyserve bench lab ").append(args).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Each model runs `polyserve serve echo` in its own JVM; each level is %s B closed-loop ping-pong, "
                + "%.1f s warm-up then %.1f s measured, server CPU from its process tree in /proc. Memory, on the fresh server before any load: its RSS grown "
                + "while %,d idle connections (one echo each, to be sure they are served) are held, divided by those held.%n%n", size, warmup, duration, idle));
        md.append("![throughput](").append(THROUGHPUT).append(")\n![p99](").append(P99).append(")\n![cpu](").append(CPU)
                .append(")\n![memory](").append(MEMORY).append(")\n\n");
        md.append("| model | start (s) |");
        for (int n : levels) md.append(String.format(Locale.ROOT, " x%,d msgs/s · p99 us · msgs/server CPU-s |", n));
        md.append(" idle held | RSS per idle conn |\n|---|---|");
        for (int ignored : levels) md.append("---|");
        md.append("---|---|\n");
        for (LabCommand.ModelRun run : runs) {
            md.append("| ").append(run.model()).append(" | ").append(Double.isNaN(run.startSeconds()) ? "-" : String.format(Locale.ROOT, "%.2f", run.startSeconds())).append(" |");
            for (int n : levels) {
                EchoLoadResult r = run.echo().get(n);
                if (r == null) {
                    md.append(run.skipped().containsKey(n) ? " skipped: " + run.skipped().get(n) + " |" : " - |");
                } else {
                    md.append(String.format(Locale.ROOT, " %,.0f · %,.0f · %s", r.messagesPerSecond(), r.latency().p99() / 1e3,
                            r.messagesPerServerCpuSecond().isPresent() ? String.format(Locale.ROOT, "%,.0f", r.messagesPerServerCpuSecond().getAsDouble()) : "-"));
                    if (r.served() < r.connected() || r.errors() > 0) {
                        md.append(String.format(Locale.ROOT, " (%,d of %,d served, %,d errors)", r.served(), r.connected(), r.errors()));
                    }
                    md.append(" |");
                }
            }
            md.append(String.format(Locale.ROOT, " %,d%s | %s |", run.idleHeld(), run.idleStop() == null ? "" : " (then " + run.idleStop().replace("|", "/") + ")",
                    Double.isNaN(run.idleBytesPerConnection()) ? "-" : String.format(Locale.ROOT, "%.1f KiB", run.idleBytesPerConnection() / 1024)));
            if (run.error() != null) md.append(" failed: ").append(run.error().replace("|", "/"));
            md.append('\n');
        }
        return md.toString();
    }

    private boolean loaded() {
        for (String load : List.of(loadBefore, loadAfter)) {
            try {
                if (Double.parseDouble(load.split(" ")[0]) > LOADED) return true;
            } catch (NumberFormatException unknown) {
                // "unknown": not marked
            }
        }
        return false;
    }
}
