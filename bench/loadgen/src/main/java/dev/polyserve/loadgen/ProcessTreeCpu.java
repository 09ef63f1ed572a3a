package dev.polyserve.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * CPU time used by a process and all its descendants, read from {@code /proc/PID/stat}.
 *
 * <p>A server may be one JVM, a launcher script whose child is the JVM, or a master with worker
 * and per-connection child processes; charging the whole tree covers all three. For each process
 * in the tree we add {@code utime + stime} (its own threads) and {@code cutime + cstime} (children
 * it has already reaped), so a child that exits between two samples is still counted: before it
 * exits it is in the tree, after it is reaped its time moves into its parent's {@code c*time}.
 * Take the difference of two samples to get the CPU time spent in between.
 */
public final class ProcessTreeCpu {
    /**
     * Linux reports /proc times in USER_HZ ticks, which is 100 on every mainstream architecture;
     * used only when {@code getconf CLK_TCK} cannot be run.
     */
    static final long FALLBACK_TICKS_PER_SECOND = 100;

    private final Path procRoot;
    private final long ticksPerSecond;

    ProcessTreeCpu(Path procRoot, long ticksPerSecond) {
        if (ticksPerSecond <= 0) throw new IllegalArgumentException("ticks per second must be positive: " + ticksPerSecond);
        this.procRoot = procRoot;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Reads the real {@code /proc} of this Linux machine. */
    public static ProcessTreeCpu system() {
        return new ProcessTreeCpu(Path.of("/proc"), clockTicksPerSecond());
    }

    /** True when {@code pid} names a live process here. */
    public boolean exists(long pid) {
        return Files.isReadable(procRoot.resolve(Long.toString(pid)).resolve("stat"));
    }

    /** CPU seconds (user + system) of {@code rootPid} and its descendants so far. */
    public double treeSeconds(long rootPid) {
        return (double) treeTicks(rootPid) / ticksPerSecond;
    }

    /** CPU ticks of {@code rootPid} and its descendants; throws if the root process is gone. */
    long treeTicks(long rootPid) {
        Map<Long, ProcStat> all = readAll();
        if (!all.containsKey(rootPid)) {
            throw new IllegalStateException("process " + rootPid + " does not exist (no " + procRoot + "/" + rootPid + "/stat)");
        }
        Map<Long, List<ProcStat>> children = new HashMap<>();
        for (ProcStat stat : all.values()) {
            children.computeIfAbsent(stat.ppid(), k -> new ArrayList<>()).add(stat);
        }
        long ticks = 0;
        ArrayDeque<ProcStat> todo = new ArrayDeque<>();
        todo.add(all.get(rootPid));
        while (!todo.isEmpty()) {
            ProcStat stat = todo.poll();
            ticks += stat.totalTicks();
            todo.addAll(children.getOrDefault(stat.pid(), List.of()));
        }
        return ticks;
    }

    /** CPU ticks of {@code pid} alone (its threads and reaped children), without live descendants. */
    long ownTicks(long pid) {
        return read(procRoot.resolve(Long.toString(pid)))
                .orElseThrow(() -> new IllegalStateException("process " + pid + " does not exist"))
                .totalTicks();
    }

    private Map<Long, ProcStat> readAll() {
        Map<Long, ProcStat> all = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot, p -> isNumeric(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                read(dir).ifPresent(stat -> all.put(stat.pid(), stat));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + procRoot, e);
        }
        return all;
    }

    /** Empty when the process exited while we were looking: that race is normal on a live system. */
    private static Optional<ProcStat> read(Path processDir) {
        try {
            return Optional.of(ProcStat.parse(Files.readString(processDir.resolve("stat"), StandardCharsets.ISO_8859_1)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // ESRCH while reading a process that is exiting surfaces as a plain IOException.
            if (!Files.exists(processDir)) return Optional.empty();
            throw new UncheckedIOException("cannot read " + processDir.resolve("stat"), e);
        }
    }

    private static boolean isNumeric(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') return false;
        }
        return true;
    }

    private static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // getconf missing or odd: fall through to the Linux default.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return FALLBACK_TICKS_PER_SECOND;
    }

    /**
     * The fields of {@code /proc/PID/stat} we need (proc(5): pid, comm, state, ppid, ..., utime is
     * field 14, stime 15, cutime 16, cstime 17).
     */
    record ProcStat(long pid, long ppid, long utime, long stime, long cutime, long cstime) {
        /** Indexes counted from field 3 (state), the first after the ")" that closes comm. */
        private static final int PPID = 1, UTIME = 11, STIME = 12, CUTIME = 13, CSTIME = 14;

        long totalTicks() {
            return utime + stime + cutime + cstime;
        }

        /** comm may contain spaces and parentheses, so fields are counted from its last ")". */
        static ProcStat parse(String line) {
            int open = line.indexOf(" (");
            int close = line.lastIndexOf(')');
            if (open < 0 || close < open) throw new IllegalArgumentException("not a /proc/PID/stat line: " + line);
            String[] f = line.substring(close + 2).trim().split(" ");
            if (f.length <= CSTIME) throw new IllegalArgumentException("short /proc/PID/stat line: " + line);
            return new ProcStat(Long.parseLong(line.substring(0, open).trim()), Long.parseLong(f[PPID]),
                    Long.parseLong(f[UTIME]), Long.parseLong(f[STIME]), Long.parseLong(f[CUTIME]), Long.parseLong(f[CSTIME]));
        }
    }
}
