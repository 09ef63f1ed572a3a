package dev.polyserve.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart written as a small standalone SVG: one polyline per series, a logarithmic or linear x axis,
 * a linear y axis from zero, tick labels and a legend.
 *
 * <p>Hand-written rather than JFreeChart + JFreeSVG: the lab draws four kinds of the same simple chart, this
 * class is a couple of hundred lines with no dependency, and its output is a few KB of plain SVG that GitHub
 * renders inline and that diffs readably in the repository. A library would add ~2 MB of jars to the CLI for that.
 */
final class SvgChart {
    static final int WIDTH = 720;
    static final int HEIGHT = 420;
    private static final int LEFT = 80, RIGHT = 170, TOP = 40, BOTTOM = 56;
    private static final int Y_TICKS = 5;
    /** Distinguishable colours (Tableau 10), reused in order when there are more series. */
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#d62728", "#2ca02c"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    /** The linear axis's tick values when set; otherwise every x value of the data. */
    private List<Double> fixedTicks;

    SvgChart(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    /** Adds one point to the named series (created on first use; series keep their order of creation). */
    SvgChart point(String name, double x, double y) {
        if (!Double.isFinite(x) || !Double.isFinite(y)) return this; // a skipped measurement is a gap, not a zero
        if (logX && x <= 0) throw new IllegalArgumentException("log x axis needs x > 0, not " + x);
        series.computeIfAbsent(name, n -> new ArrayList<>()).add(new double[] {x, y});
        return this;
    }

    /**
     * Tick a linear x axis at these values only (the levels asked for), not at every x the data holds: a model
     * measured at a level of its own (select at its cap of 900, beside 1,000) would put two labels on top of each other.
     */
    SvgChart xTicks(List<? extends Number> ticks) {
        if (logX) throw new IllegalStateException("a log x axis is ticked by decades");
        fixedTicks = ticks.stream().map(Number::doubleValue).toList();
        return this;
    }

    String render() {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMax = 0;
        for (List<double[]> points : series.values()) {
            for (double[] p : points) {
                xMin = Math.min(xMin, p[0]);
                xMax = Math.max(xMax, p[0]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        if (fixedTicks != null) {
            for (double t : fixedTicks) {
                xMin = Math.min(xMin, t);
                xMax = Math.max(xMax, t);
            }
        }
        if (xMin > xMax) { xMin = 1; xMax = 10; }
        if (xMin == xMax) { xMin = logX ? xMin / 10 : xMin - 1; xMax = logX ? xMax * 10 : xMax + 1; }
        double yTop = niceCeiling(yMax);
        double x0 = xMin, x1 = xMax;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, escape(title)));
        int plotRight = WIDTH - RIGHT, plotBottom = HEIGHT - BOTTOM;
        // Axes
        svg.append(String.format(Locale.ROOT, "<g class=\"axes\" stroke=\"black\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>%n", LEFT, plotBottom, plotRight, plotBottom, LEFT, TOP, LEFT, plotBottom));
        // y ticks and grid
        for (int i = 0; i <= Y_TICKS; i++) {
            double v = yTop * i / Y_TICKS;
            double y = yPos(v, yTop);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, plotRight, y, LEFT - 6, y + 4, escape(human(v))));
        }
        // x ticks: decades on a log axis, the data's own x values otherwise
        for (double v : xTicks(x0, x1)) {
            double x = xPos(v, x0, x1);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, plotBottom, x, plotBottom + 5, x, plotBottom + 18, escape(human(v))));
        }
        svg.append(String.format(Locale.ROOT, "<text class=\"x-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + plotRight) / 2, HEIGHT - 14, escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text class=\"y-label\" transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                (TOP + plotBottom) / 2, escape(yLabel)));
        // Series and legend
        int index = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (double[] p : s.getValue()) {
                double x = xPos(p[0], x0, x1), y = yPos(p[1], yTop);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<g class=\"series\" data-name=\"%s\" stroke=\"%s\" fill=\"%s\">"
                            + "<polyline fill=\"none\" stroke-width=\"2\" points=\"%s\"/>%s</g>%n",
                    escape(s.getKey()), colour, colour, points.toString().strip(), marks));
            int ly = TOP + 10 + index * 18;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", plotRight + 14, ly - 4, colour, plotRight + 34, ly + 1, escape(s.getKey())));
            index++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    int seriesCount() {
        return series.size();
    }

    private double xPos(double v, double x0, double x1) {
        double f = logX ? (Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) : (v - x0) / (x1 - x0);
        return LEFT + f * (WIDTH - RIGHT - LEFT);
    }

    private static double yPos(double v, double yTop) {
        return HEIGHT - BOTTOM - v / yTop * (HEIGHT - BOTTOM - TOP);
    }

    private List<Double> xTicks(double x0, double x1) {
        List<Double> ticks = new ArrayList<>();
        if (logX) {
            for (double d = Math.pow(10, Math.ceil(Math.log10(x0) - 1e-9)); d <= x1 * (1 + 1e-9); d *= 10) ticks.add(d);
        } else if (fixedTicks != null) {
            ticks.addAll(fixedTicks);
        } else {
            for (List<double[]> points : series.values()) for (double[] p : points) if (!ticks.contains(p[0])) ticks.add(p[0]);
        }
        return ticks;
    }

    /** The smallest 1, 2 or 5 times a power of ten at or above {@code v}, so the y ticks are round numbers. */
    static double niceCeiling(double v) {
        if (v <= 0) return 1;
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * decade >= v * (1 - 1e-12)) return m * decade;
        return 10 * decade;
    }

    /** 1,500 -> "1.5k", 2,000,000 -> "2M", 0.25 -> "0.25". */
    static String human(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) return trim(v / 1e6) + "M";
        if (a >= 1e3) return trim(v / 1e3) + "k";
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
