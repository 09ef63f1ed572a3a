package dev.polyserve.services.http.dashboard;

import dev.polyserve.core.ServerStats;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Readings of a server in this process: its {@link ServerStats} (their {@link ServerStats#totals()}, the whole
 * server's where a model spans processes), a request counter, the process's CPU time and
 * the CPU time of each event-loop thread. Every engine names its loop threads {@code polyserve-MODEL-loop[-N]};
 * the loops of two servers of one model in one process share names and so are added together. Blocking models
 * (a thread per connection) have no loop: only the process line shows their work.
 */
public final class InProcessSource implements DashboardSource {
    private static final Pattern LOOP = Pattern.compile("polyserve-(.+-loop(?:-\\d+)?)");

    private final ServerStats stats;
    private final String model;
    private final LongSupplier requests;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

    /** {@code requests} counts HTTP responses, or returns -1 for a server that does not count them. */
    public InProcessSource(ServerStats stats, String model, LongSupplier requests) {
        this.stats = stats;
        this.model = model;
        this.requests = requests;
    }

    @Override
    public DashboardSample sample() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) cpu.put("process", sun.getProcessCpuTime());
        if (threads.isThreadCpuTimeSupported()) {
            for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (t == null) continue;
                var m = LOOP.matcher(t.getThreadName());
                if (!m.matches()) continue;
                long ns = threads.getThreadCpuTime(t.getThreadId());
                if (ns >= 0) cpu.merge(m.group(1), ns, Long::sum);
            }
        }
        ServerStats.Totals t = stats.totals();
        return new DashboardSample(model, t.open(), t.accepted(), t.bytesIn(), t.bytesOut(), requests.getAsLong(), cpu);
    }
}
