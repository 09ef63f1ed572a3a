package dev.polyserve.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a lab run as {@code README.md} (the exact command, load averages, one section per scenario) beside its SVG charts. */
final class LabReport {
    static final String REPORT = "README.md";
    private final List<LabSection> sections;
    private final Instant began;
    private final Duration took;
    private final String loadBefore, loadAfter, args;
    /** Cores other processes used on average during the run ({@link OtherCpu}); negative when unknown. */
    private final double otherCores;

    LabReport(List<LabSection> sections, Instant began, Duration took, String loadBefore, String loadAfter, double otherCores,
              String args) {
        this.sections = List.copyOf(sections);
        this.began = began;
        this.took = took;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
        this.otherCores = otherCores;
        this.args = args;
    }

    void write(Path dir) throws IOException {
        for (LabSection s : sections) {
            for (Map.Entry<String, String> chart : s.charts().entrySet()) Files.writeString(dir.resolve(chart.getKey()), chart.getValue());
        }
        Files.writeString(dir.resolve(REPORT), markdown());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Model lab: every model, the same work\n\n");
        md.append(String.format(Locale.ROOT, "Run %s, %d s in all, on %d cores. Load average (1, 5, 15 min) before: %s, after: %s. %s%n%n",
                began.toString().replaceAll("\\.\\d+Z$", "Z"), took.toSeconds(), Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter,
                sharing()));
        md.append("Command: `polyserve bench lab").append(args.isEmpty() ? "" : " " + args).append("`\n\n");
        for (LabSection s : sections) md.append("- [").append(s.title()).append("](#").append(anchor(s.title())).append(") (`").append(s.scenario()).append("`)\n");
        md.append('\n');
        for (LabSection s : sections) md.append("## ").append(s.title()).append("\n\n").append(s.markdown()).append('\n');
        return md.toString();
    }

    /** GitHub's heading anchor: lower case, spaces to hyphens, punctuation other than hyphens dropped. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    /** What else ran: the load average also counts the lab's own server and load generator, and what ran just before. */
    private String sharing() {
        if (otherCores < 0) return "Other processes' CPU during the run: unknown (no /proc).";
        String figure = String.format(Locale.ROOT, "Other processes used %.2f cores on average during the run", otherCores);
        return otherCores > OtherCpu.LOADED_CORES
                ? figure + " (**loaded machine**: the figures below shared the cores with them)."
                : figure + " (a quiet machine; the load generator still runs on the same cores as the server).";
    }
}
