package dev.polyserve.loadgen;

import org.HdrHistogram.Histogram;

/** Percentiles of message round-trip latency, in nanoseconds. */
public record LatencySummary(long count, long p50, long p90, long p99, long p999, long max, double mean) {

    public static LatencySummary of(Histogram histogram) {
        if (histogram.getTotalCount() == 0) return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        return new LatencySummary(histogram.getTotalCount(),
                histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
                histogram.getMaxValue(), histogram.getMean());
    }
}
