package dev.polyserve.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart as a small standalone SVG: one bar per label, its value written at the bar's end, a
 * linear axis from zero, or a logarithmic one in decades when the figures span orders of magnitude (memory per
 * connection: a few KiB for an event loop, 87 MiB for a JVM per connection), so the small bars stay visible.
 * For scenarios with one figure per model (cores used, idle CPU), where {@link SvgChart}'s lines would join
 * unrelated points. Plain SVG, generic font, no script: renders on the repository page.
 */
final class SvgBars {
    static final int WIDTH = 780;
    /** RIGHT leaves room for the text at the end of the longest bar ("1.87 cores, 10.01k msgs/s"). */
    private static final int LEFT = 150, RIGHT = 190, TOP = 44, BOTTOM = 44, BAR = 18, GAP = 8;
    private static final int X_TICKS = 5;
    private static final String COLOUR = "#4e79a7";

    private record Bar(String label, double value, String text) {}

    private final String title;
    private final String axisLabel;
    private final boolean log;
    private final List<Bar> bars = new ArrayList<>();

    SvgBars(String title, String axisLabel) {
        this(title, axisLabel, false);
    }

    /** {@code log}: a logarithmic axis, one tick per decade; the axis label says so. */
    SvgBars(String title, String axisLabel, boolean log) {
        this.title = title;
        this.axisLabel = log ? axisLabel + " (log scale)" : axisLabel;
        this.log = log;
    }

    /** Adds a bar; {@code text} is written at its end (null: the value itself). A non-finite value is left out. */
    SvgBars bar(String label, double value, String text) {
        if (!Double.isFinite(value)) return this;
        if (value < 0) throw new IllegalArgumentException("bars start at zero, not " + value);
        bars.add(new Bar(label, value, text != null ? text : SvgChart.human(value)));
        return this;
    }

    int barCount() {
        return bars.size();
    }

    String render() {
        double max = 0, minPositive = Double.POSITIVE_INFINITY;
        for (Bar b : bars) {
            max = Math.max(max, b.value());
            if (b.value() > 0) minPositive = Math.min(minPositive, b.value());
        }
        double top = log ? logTop(max) : SvgChart.niceCeiling(max);
        double bottom = log ? logBottom(minPositive, top) : 0;
        int plotRight = WIDTH - RIGHT;
        int height = TOP + Math.max(1, bars.size()) * (BAR + GAP) + BOTTOM;
        int plotBottom = height - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", 16, SvgChart.escape(title)));
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double v = bottom; v <= top * (1 + 1e-9); v *= 10) ticks.add(v);
        } else {
            for (int i = 0; i <= X_TICKS; i++) ticks.add(top * i / X_TICKS);
        }
        for (double v : ticks) {
            double x = LEFT + fraction(v, bottom, top) * (plotRight - LEFT);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP - 6, x, plotBottom, x, plotBottom + 16, SvgChart.escape(SvgChart.human(v))));
        }
        svg.append(String.format(Locale.ROOT, "<g class=\"axes\" stroke=\"black\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>%n", LEFT, TOP - 6, LEFT, plotBottom));
        svg.append(String.format(Locale.ROOT, "<text class=\"x-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + plotRight) / 2, height - 8, SvgChart.escape(axisLabel)));
        int y = TOP;
        for (Bar b : bars) {
            double w = fraction(b.value(), bottom, top) * (plotRight - LEFT);
            svg.append(String.format(Locale.ROOT, "<g class=\"bar\" data-name=\"%s\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">%s</text></g>%n",
                    SvgChart.escape(b.label()), LEFT - 8, y + BAR - 5, SvgChart.escape(b.label()), LEFT, y, w, BAR, COLOUR,
                    LEFT + w + 6, y + BAR - 5, SvgChart.escape(b.text())));
            y += BAR + GAP;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Where {@code v} falls between the axis ends, 0 to 1; on a log axis a value at or below the first tick is a zero-width bar. */
    private double fraction(double v, double bottom, double top) {
        if (!log) return v / top;
        if (v <= bottom) return 0;
        return (Math.log10(v) - Math.log10(bottom)) / (Math.log10(top) - Math.log10(bottom));
    }

    /** The power of ten at or above the largest value. */
    static double logTop(double max) {
        return max <= 0 ? 10 : Math.pow(10, Math.ceil(Math.log10(max) - 1e-9));
    }

    /**
     * The power of ten the axis starts at: at or below the smallest value, one decade lower when that value is
     * within a factor of 2 above it, so its bar has a visible length. Below the top by at least a decade.
     */
    static double logBottom(double minPositive, double top) {
        double bottom = Double.isFinite(minPositive) ? Math.pow(10, Math.floor(Math.log10(minPositive) - Math.log10(2))) : top / 10;
        return Math.min(bottom, top / 10);
    }
}
