package dev.polyserve.cli.bench;

import java.util.Map;

/**
 * A scenario's part of the lab report: a heading, Markdown (tables, the figures, what they show) and its charts
 * by file name, which the Markdown links to.
 */
record LabSection(String scenario, String title, String markdown, Map<String, String> charts) {
    LabSection {
        charts = Map.copyOf(charts);
    }
}
