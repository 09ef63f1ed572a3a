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
    /** Above this 1-minute load average a figure is marked "loaded machine" (the project's rule for 2 cores). */
    static final double LOADED = 3.0;

    private final List<LabSection> sections;
    private final Instant began;
    private final Duration took;
    private final String loadBefore, loadAfter, args;

    LabReport(List<LabSection> sections, Instant began, Duration took, String loadBefore, String loadAfter, String args) {
        this.sections = List.copyOf(sections);
        this.began = began;
        this.took = took;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
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
        md.append(String.format(Locale.ROOT, "Run %s, %d s in all, on %d cores. Load average (1, 5, 15 min) before: %s, after: %s%s.%n%n",
                began.toString().replaceAll("\\.\\d+Z$", "Z"), took.toSeconds(), Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter,
                loaded() ? " (**loaded machine**: the machine is shared, and the load generator runs on the same cores)" : ""));
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
