package dev.polyserve.cli;

import dev.polyserve.core.ServerStats;
import dev.polyserve.process.PreforkStatus;
import dev.polyserve.process.ProcessModels;
import dev.polyserve.services.http.dashboard.DashboardSample;
import dev.polyserve.services.http.dashboard.DashboardSource;
import dev.polyserve.services.http.dashboard.InProcessSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where a {@code serve} command's dashboard reads: this process's counters, or, under {@code --model prefork}, the
 * whole server from its shared stats segment (every worker's row, read by the worker serving the page or by the
 * master), with each worker's CPU time from {@code /proc} as its busy time.
 */
public final class DashboardSources {
    private DashboardSources() {}

    /** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every architecture Linux runs on). */
    private static final long TICKS_PER_SECOND = 100;

    public static DashboardSource forServer(ServerOptions options, ServerStats stats, LongSupplier requests) {
        String model = options.modelOr(dev.polyserve.core.ServerConfig.DEFAULT_MODEL);
        if (!model.equals("prefork")) return new InProcessSource(stats, model, requests);
        if (ProcessModels.inChildProcess()) {
            // A worker serves the page (serve http): its stats' totals are the whole server's already; the busy
            // lines are the workers' CPU, from the master's segment.
            long master = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            InProcessSource counters = new InProcessSource(stats, model, requests);
            return () -> {
                DashboardSample c = counters.sample();
                return new DashboardSample(model, c.open(), c.accepted(), c.bytesIn(), c.bytesOut(), c.requests(),
                        workerCpu(find(master)));
            };
        }
        // The master serves the page (--web-port): the segment holds the workers' counters.
        long self = ProcessHandle.current().pid();
        return () -> {
            PreforkStatus.Server s = find(self);
            if (s == null) return new DashboardSample(model, 0, 0, 0, 0, -1, Map.of());   // starting, or gone
            return new DashboardSample(model, s.open(), s.accepted(), s.bytesIn(), s.bytesOut(), -1, workerCpu(s));
        };
    }

    /** {@code source} with the counters of {@code more} added (FTP: the data connections beside the control ones). */
    public static DashboardSource plus(DashboardSource source, java.util.function.Supplier<ServerStats> more) {
        return () -> {
            DashboardSample a = source.sample();
            ServerStats m = more.get();
            if (m == null) return a;
            ServerStats.Totals t = m.local();
            return new DashboardSample(a.model(), a.open() + t.open(), a.accepted() + t.accepted(),
                    a.bytesIn() + t.bytesIn(), a.bytesOut() + t.bytesOut(), a.requests(), a.cpuNanos());
        };
    }

    private static PreforkStatus.Server find(long masterPid) {
        try {
            for (PreforkStatus.Server s : PreforkStatus.read()) if (s.masterPid() == masterPid) return s;
        } catch (IOException e) {
            // No runtime directory: nothing to show yet.
        }
        return null;
    }

    private static Map<String, Long> workerCpu(PreforkStatus.Server s) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        if (s == null) return cpu;
        for (PreforkStatus.Worker w : s.workers()) {
            if (w.state().equals("spare")) continue;   // a warm spare waits to take a slot: not serving
            long ns = cpuNanos(w.pid());
            if (ns >= 0) cpu.put("worker " + w.pid(), ns);
        }
        return cpu;
    }

    /** utime + stime of {@code pid} from /proc/PID/stat, or -1 (gone, or not Linux). */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces: state is field 3.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);   // fields 14 and 15
            return ticks * (1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
