package dev.polyserve.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code polyserve status} prints: every running prefork server of this user, read from the shared stats
 * segments its workers write (no request to the server; the numbers are at most
 * {@link PreforkWorker#PUBLISH_INTERVAL} old).
 */
public final class PreforkStatus {
    /** One worker's row. */
    public record Worker(int row, long pid, String state, long accepted, long open, long refused, long bytesIn, long bytesOut) {}

    /** One server: its master, port, live workers, and totals including workers that have exited. */
    public record Server(Path file, long masterPid, int port, long startedMillis, long workersReplaced,
                         List<Worker> workers, long accepted, long refused, long bytesIn, long bytesOut) {
        public long open() {
            return workers.stream().mapToLong(Worker::open).sum();
        }
    }

    private PreforkStatus() {}

    /** Every live prefork server in {@link ProcessModels#runtimeDirectory()}; segments of dead masters are skipped. */
    public static List<Server> read() throws IOException {
        return read(ProcessModels.runtimeDirectory());
    }

    static List<Server> read(Path dir) throws IOException {
        List<Server> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "prefork-*.stats")) {
            for (Path f : files) {
                try (PreforkStats t = PreforkStats.attach(f)) {
                    long master = t.header(PreforkStats.H_MASTER_PID);
                    if (ProcessHandle.of(master).map(ProcessHandle::isAlive).orElse(false)) out.add(snapshot(f, t));
                } catch (IOException e) {
                    // Being created or removed right now, or not ours: not a running server.
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(Server::port));
        return out;
    }

    private static Server snapshot(Path f, PreforkStats t) {
        List<Worker> workers = new ArrayList<>();
        long accepted = t.header(PreforkStats.H_RETIRED_ACCEPTED), refused = t.header(PreforkStats.H_RETIRED_REFUSED);
        long in = t.header(PreforkStats.H_RETIRED_IN), out = t.header(PreforkStats.H_RETIRED_OUT);
        for (int r = 0; r < t.rows(); r++) {
            long pid = t.row(r, PreforkStats.R_PID);
            if (pid == 0) continue;
            Worker w = new Worker(r, pid, state(t.row(r, PreforkStats.R_STATE)), t.row(r, PreforkStats.R_ACCEPTED),
                    t.row(r, PreforkStats.R_OPEN), t.row(r, PreforkStats.R_REFUSED), t.row(r, PreforkStats.R_IN),
                    t.row(r, PreforkStats.R_OUT));
            workers.add(w);
            accepted += w.accepted();
            refused += w.refused();
            in += w.bytesIn();
            out += w.bytesOut();
        }
        return new Server(f, t.header(PreforkStats.H_MASTER_PID), (int) t.header(PreforkStats.H_PORT),
                t.header(PreforkStats.H_STARTED), t.header(PreforkStats.H_REPLACED), workers, accepted, refused, in, out);
    }

    private static String state(long s) {
        return s == PreforkStats.STARTING ? "starting" : s == PreforkStats.READY ? "serving"
                : s == PreforkStats.DRAINING ? "draining" : s == PreforkStats.SPARE ? "spare" : "free";
    }

    /** The table {@code polyserve status} prints. */
    public static String format(List<Server> servers) {
        if (servers.isEmpty()) return "no prefork server is running\n";
        StringBuilder sb = new StringBuilder();
        for (Server s : servers) {
            long serving = s.workers().stream().filter(w -> w.state().equals("serving")).count();
            long spare = s.workers().stream().filter(w -> w.state().equals("spare")).count();
            sb.append(String.format(Locale.ROOT, "port %d  master pid %d  workers %d  spare %d  replaced %d  accepted %d  open %d  refused %d  in %d B  out %d B%n",
                    s.port(), s.masterPid(), serving, spare, s.workersReplaced(), s.accepted(), s.open(), s.refused(), s.bytesIn(), s.bytesOut()));
            sb.append(String.format(Locale.ROOT, "  %-8s %-9s %10s %6s %8s %14s %14s%n", "pid", "state", "accepted", "open", "refused", "bytes in", "bytes out"));
            for (Worker w : s.workers()) {
                sb.append(String.format(Locale.ROOT, "  %-8d %-9s %10d %6d %8d %14d %14d%n",
                        w.pid(), w.state(), w.accepted(), w.open(), w.refused(), w.bytesIn(), w.bytesOut()));
            }
        }
        return sb.toString();
    }
}
