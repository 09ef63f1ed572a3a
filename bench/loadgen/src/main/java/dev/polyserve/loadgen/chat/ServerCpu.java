package dev.polyserve.loadgen.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU seconds (user + system, including reaped children) of a process and its live descendants, from
 * {@code /proc/PID/stat}: the work a server did during a run, whatever its process model.
 */
final class ServerCpu {
    /** USER_HZ: 100 on every mainstream Linux architecture; /proc times are in these ticks. */
    static final int TICKS_PER_SECOND = 100;

    private ServerCpu() {}

    static double treeSeconds(long pid) {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        long ticks = Stream.concat(Stream.of(root), root.descendants()).mapToLong(p -> ticks(p.pid())).sum();
        return (double) ticks / TICKS_PER_SECOND;
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime, stime, cutime, cstime are fields 14-17 of stat(5); f[0] is field 3.
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException gone) {
            return 0;   // exited between listing and reading: its time is in its parent's cutime now
        }
    }
}
