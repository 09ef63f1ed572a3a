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
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where a {@code serve} command's dashboard reads: this process's counters, or, under {@code --model prefork}, the
 * whole server from its shared stats segment (every worker's row, read by the worker serving the page or by the
 * master), with each worker's CPU time from {@code /proc} as its busy time.
 */
final class DashboardSources {
    private DashboardSources() {}

    /** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every architecture Linux runs on). */
    private static final long TICKS_PER_SECOND = 100;

    static DashboardSource forServer(ServerOptions options, ServerStats stats, LongSupplier requests) {
        String model = options.modelOr(dev.polyserve.core.ServerConfig.DEFAULT_MODEL);
        if (!model.equals("prefork")) return new InProcessSource(stats, model, requests);
        // A worker serves the page (serve http) or the master does (--web-port): either way, the master's segment.
        long master = ProcessModels.inChildProcess()
                ? ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L)
                : ProcessHandle.current().pid();
        return () -> prefork(master);
    }

    private static DashboardSample prefork(long masterPid) {
        List<PreforkStatus.Server> servers;
        try {
            servers = PreforkStatus.read();
        } catch (IOException e) {
            servers = List.of();
        }
        for (PreforkStatus.Server s : servers) {
            if (s.masterPid() != masterPid) continue;
            Map<String, Long> cpu = new LinkedHashMap<>();
            for (PreforkStatus.Worker w : s.workers()) {
                if (w.state().equals("spare")) continue;   // a warm spare waits to take a slot: not serving
                long ns = cpuNanos(w.pid());
                if (ns >= 0) cpu.put("worker " + w.pid(), ns);
            }
            return new DashboardSample("prefork", s.open(), s.accepted(), s.bytesIn(), s.bytesOut(), -1, cpu);
        }
        return new DashboardSample("prefork", 0, 0, 0, 0, -1, Map.of());   // starting, or gone
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
