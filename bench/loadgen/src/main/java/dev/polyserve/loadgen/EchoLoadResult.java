package dev.polyserve.loadgen;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.StringJoiner;

/**
 * What one echo load run measured.
 *
 * @param spec              what was asked for
 * @param connected         connections that completed their TCP handshake during the run
 * @param served            connections with at least one echo counted in the window; fewer than
 *                          connected means the server left some waiting (an iterative server serves one)
 * @param connectFailures   connections refused or failed while connecting
 * @param connectsAbandoned connections still pending when the run ended (the server never accepted them)
 * @param messages          messages sent after the warm-up whose echo completed inside the measured window
 * @param windowSeconds     length of the measured window
 * @param latency           round-trip latency of those messages
 * @param ioErrors          connections lost to an I/O error (e.g. reset by the server)
 * @param closedByServer    connections the server closed while we still expected bytes
 * @param corrupt           connections whose echo differed from what was sent
 * @param serverCpuSeconds  user+system CPU of the server's process tree during the window, if a PID was given
 * @param clientCpuSeconds  user+system CPU of this load generator during the window
 * @param firstError        the first error seen, for the report; null when there was none
 * @param connectionsCompleted connections opened inside the window that carried all their messages
 *                          and were closed in it (with {@link EchoLoadSpec#messagesPerConnection()})
 * @param setup             connect-to-first-echo time of connections opened inside the window
 */
public record EchoLoadResult(
        EchoLoadSpec spec,
        long connected,
        long served,
        long connectFailures,
        long connectsAbandoned,
        long messages,
        double windowSeconds,
        LatencySummary latency,
        long ioErrors,
        long closedByServer,
        long corrupt,
        OptionalDouble serverCpuSeconds,
        double clientCpuSeconds,
        String firstError,
        long connectionsCompleted,
        LatencySummary setup) {

    /** Prefix of the machine-readable summary line, so scripts can find it with grep. */
    public static final String SUMMARY_PREFIX = "RESULT";

    private static final double MEGA = 1_000_000.0;
    private static final double NANOS_PER_MICRO = 1_000.0;

    public double messagesPerSecond() {
        return windowSeconds > 0 ? messages / windowSeconds : 0;
    }

    /** Payload echoed per second in one direction, in 10^6 bytes. */
    public double megabytesPerSecond() {
        return messagesPerSecond() * spec.messageSize() / MEGA;
    }

    /** Messages per second of the server's CPU time: the work the server does per unit of CPU. */
    public OptionalDouble messagesPerServerCpuSecond() {
        if (serverCpuSeconds.isEmpty() || serverCpuSeconds.getAsDouble() <= 0) return OptionalDouble.empty();
        return OptionalDouble.of(messages / serverCpuSeconds.getAsDouble());
    }

    /** New connections per second, each connected, used for its messages and closed (0 unless connections are replaced). */
    public double connectionsPerSecond() {
        return windowSeconds > 0 ? connectionsCompleted / windowSeconds : 0;
    }

    private boolean replacesConnections() {
        return spec.messagesPerConnection() > 0;
    }

    /** Connections lost after connecting, for any reason. */
    public long errors() {
        return ioErrors + closedByServer + corrupt;
    }

    /** One line of {@code key=value} pairs, stable names and units, for scripts. */
    public String summaryLine() {
        StringJoiner line = new StringJoiner(" ", SUMMARY_PREFIX + " ", "");
        line.add("target=" + spec.target().getHostString() + ":" + spec.target().getPort());
        line.add("connections=" + spec.connections());
        line.add("connected=" + connected);
        line.add("served=" + served);
        line.add("size=" + spec.messageSize());
        line.add("depth=" + spec.pipelineDepth());
        line.add("duration_s=" + fixed(windowSeconds, 3));
        line.add("msgs=" + messages);
        line.add("msgs_per_s=" + fixed(messagesPerSecond(), 1));
        line.add("mb_per_s=" + fixed(megabytesPerSecond(), 3));
        line.add("p50_us=" + micros(latency.p50()));
        line.add("p99_us=" + micros(latency.p99()));
        line.add("p999_us=" + micros(latency.p999()));
        line.add("max_us=" + micros(latency.max()));
        line.add("msgs_per_conn=" + spec.messagesPerConnection());
        line.add("new_conns_per_s=" + (replacesConnections() ? fixed(connectionsPerSecond(), 1) : "-"));
        line.add("setup_p50_us=" + (replacesConnections() ? micros(setup.p50()) : "-"));
        line.add("setup_p99_us=" + (replacesConnections() ? micros(setup.p99()) : "-"));
        line.add("errors=" + errors());
        line.add("connect_failures=" + (connectFailures + connectsAbandoned));
        line.add("server_pid=" + (spec.serverPid().isPresent() ? Long.toString(spec.serverPid().getAsLong()) : "-"));
        line.add("server_cpu_s=" + (serverCpuSeconds.isPresent() ? fixed(serverCpuSeconds.getAsDouble(), 2) : "-"));
        OptionalDouble perCpu = messagesPerServerCpuSecond();
        line.add("msgs_per_server_cpu_s=" + (perCpu.isPresent() ? fixed(perCpu.getAsDouble(), 0) : "-"));
        line.add("client_cpu_s=" + fixed(clientCpuSeconds, 2));
        return line.toString();
    }

    /** A few lines for people. */
    public String report() {
        StringBuilder out = new StringBuilder();
        String connections = replacesConnections()
                ? String.format(Locale.ROOT, "%,d at a time, %,d opened (%,d served in the window)", spec.connections(), connected, served)
                : String.format(Locale.ROOT, "%,d/%,d (%,d served)", connected, spec.connections(), served);
        out.append(String.format(Locale.ROOT, "echo %s:%d  connections %s  size %,d B  depth %d  window %.2f s (after %.1f s warm-up)%n",
                spec.target().getHostString(), spec.target().getPort(), connections, spec.messageSize(),
                spec.pipelineDepth(), windowSeconds, spec.warmup().toMillis() / 1000.0));
        out.append(String.format(Locale.ROOT, "  throughput  %,.0f msgs/s  %.2f MB/s  (%,d messages)%n",
                messagesPerSecond(), megabytesPerSecond(), messages));
        out.append(String.format(Locale.ROOT, "  latency     p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n",
                human(latency.p50()), human(latency.p90()), human(latency.p99()), human(latency.p999()), human(latency.max())));
        if (replacesConnections()) {
            out.append(String.format(Locale.ROOT, "  set-up      %,.0f new connections/s (%,d messages each); connect to first echo p50 %s  p99 %s  max %s%n",
                    connectionsPerSecond(), spec.messagesPerConnection(), human(setup.p50()), human(setup.p99()), human(setup.max())));
        }
        if (serverCpuSeconds.isPresent()) {
            OptionalDouble perCpu = messagesPerServerCpuSecond();
            out.append(String.format(Locale.ROOT, "  server      pid %s: %.2f CPU-s in the window, %s msgs per server CPU-second%n",
                    spec.serverPid().isPresent() ? Long.toString(spec.serverPid().getAsLong()) : "?", serverCpuSeconds.getAsDouble(),
                    perCpu.isPresent() ? String.format(Locale.ROOT, "%,.0f", perCpu.getAsDouble()) : "n/a (no CPU time recorded)"));
        }
        out.append(String.format(Locale.ROOT, "  client      %.2f CPU-s%n", clientCpuSeconds));
        if (connectFailures + connectsAbandoned > 0) {
            out.append(String.format(Locale.ROOT, "  connects    %,d failed, %,d never accepted%n", connectFailures, connectsAbandoned));
        }
        if (errors() > 0) {
            out.append(String.format(Locale.ROOT, "  errors      %,d reset or failed, %,d closed by server, %,d wrong echo%n",
                    ioErrors, closedByServer, corrupt));
        }
        if (firstError != null) out.append("  first error ").append(firstError).append(System.lineSeparator());
        return out.toString();
    }

    private static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String micros(long nanos) {
        return fixed(nanos / NANOS_PER_MICRO, 1);
    }

    private static String human(long nanos) {
        if (nanos < 1_000_000) return fixed(nanos / NANOS_PER_MICRO, 1) + " us";
        if (nanos < 1_000_000_000) return fixed(nanos / 1_000_000.0, 2) + " ms";
        return fixed(nanos / 1e9, 2) + " s";
    }
}
