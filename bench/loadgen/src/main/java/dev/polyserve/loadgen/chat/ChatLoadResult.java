package dev.polyserve.loadgen.chat;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What a chat load run measured. Latency is from a line's scheduled send time to its arrival at each other
 * member (so a sender that fell behind its schedule is charged, not hidden).
 */
public record ChatLoadResult(ChatLoadSpec spec, long deliveries, long missing, long outOfOrder, int dropped,
                             boolean floodControlHit, double seconds, Histogram latencyMicros, double serverCpuSeconds) {

    double deliveriesPerSecond() {
        return seconds > 0 ? deliveries / seconds : 0;
    }

    long percentileMicros(double p) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(p);
    }

    public String report() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "clients %d x messages %d at %s lines/s each: %d of %d deliveries in %.2f s%n",
                spec.clients(), spec.messages(), spec.ratePerClient() == 0 ? "unpaced" : fmt(spec.ratePerClient()),
                deliveries, spec.expectedDeliveries(), seconds));
        b.append(String.format(Locale.ROOT, "deliveries/s %.0f%n", deliveriesPerSecond()));
        b.append(String.format(Locale.ROOT, "delivery latency µs: p50 %d  p99 %d  p99.9 %d  max %d%n",
                percentileMicros(50), percentileMicros(99), percentileMicros(99.9), latencyMicros.getMaxValue()));
        b.append(String.format(Locale.ROOT, "missing %d  out of order %d  members dropped %d%n", missing, outOfOrder, dropped));
        if (floodControlHit) {
            b.append("the server's flood control dropped lines: start it with --lines-per-second 0 for a load test\n");
        }
        if (!Double.isNaN(serverCpuSeconds)) {
            b.append(String.format(Locale.ROOT, "server CPU %.2f s  deliveries per server CPU-s %.0f%n",
                    serverCpuSeconds, serverCpuSeconds > 0 ? deliveries / serverCpuSeconds : 0));
        }
        return b.toString();
    }

    public String summaryLine() {
        return String.format(Locale.ROOT,
                "RESULT clients=%d messages=%d rate=%s deliveries=%d expected=%d seconds=%.3f deliveries_per_s=%.0f"
                        + " p50_us=%d p99_us=%d p999_us=%d max_us=%d missing=%d out_of_order=%d dropped=%d"
                        + " server_cpu_s=%s deliveries_per_cpu_s=%s",
                spec.clients(), spec.messages(), fmt(spec.ratePerClient()), deliveries, spec.expectedDeliveries(), seconds,
                deliveriesPerSecond(), percentileMicros(50), percentileMicros(99), percentileMicros(99.9),
                latencyMicros.getMaxValue(), missing, outOfOrder, dropped,
                Double.isNaN(serverCpuSeconds) ? "-" : String.format(Locale.ROOT, "%.2f", serverCpuSeconds),
                Double.isNaN(serverCpuSeconds) || serverCpuSeconds == 0 ? "-" : String.format(Locale.ROOT, "%.0f", deliveries / serverCpuSeconds));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
