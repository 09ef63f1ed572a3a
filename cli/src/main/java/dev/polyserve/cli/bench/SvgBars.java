package dev.polyserve.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart as a small standalone SVG: one bar per label, its value written at the bar's end, a
 * linear axis from zero. For scenarios with one figure per model (cores used, idle CPU), where
 * {@link SvgChart}'s lines would join unrelated points. Plain SVG, generic font, no script: renders on the
 * repository page.
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
    private final List<Bar> bars = new ArrayList<>();

    SvgBars(String title, String axisLabel) {
        this.title = title;
        this.axisLabel = axisLabel;
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
        double max = 0;
        for (Bar b : bars) max = Math.max(max, b.value());
        double top = SvgChart.niceCeiling(max);
        int plotRight = WIDTH - RIGHT;
        int height = TOP + Math.max(1, bars.size()) * (BAR + GAP) + BOTTOM;
        int plotBottom = height - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", 16, SvgChart.escape(title)));
        for (int i = 0; i <= X_TICKS; i++) {
            double v = top * i / X_TICKS;
            double x = LEFT + v / top * (plotRight - LEFT);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP - 6, x, plotBottom, x, plotBottom + 16, SvgChart.escape(SvgChart.human(v))));
        }
        svg.append(String.format(Locale.ROOT, "<g class=\"axes\" stroke=\"black\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>%n", LEFT, TOP - 6, LEFT, plotBottom));
        svg.append(String.format(Locale.ROOT, "<text class=\"x-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + plotRight) / 2, height - 8, SvgChart.escape(axisLabel)));
        int y = TOP;
        for (Bar b : bars) {
            double w = b.value() / top * (plotRight - LEFT);
            svg.append(String.format(Locale.ROOT, "<g class=\"bar\" data-name=\"%s\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">%s</text></g>%n",
                    SvgChart.escape(b.label()), LEFT - 8, y + BAR - 5, SvgChart.escape(b.label()), LEFT, y, w, BAR, COLOUR,
                    LEFT + w + 6, y + BAR - 5, SvgChart.escape(b.text())));
            y += BAR + GAP;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }
}
