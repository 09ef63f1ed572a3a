package dev.polyserve.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as Linux reports it in {@code /proc/PID/stat}: its state letter (R running, S sleeping, Z zombie …)
 * and its parent. Empty once the process is gone (reaped).
 *
 * @param pid   the process id
 * @param state the state letter, e.g. {@code 'Z'} for a zombie
 * @param ppid  the parent's process id
 */
record ProcStat(long pid, char state, long ppid) {

    static Optional<ProcStat> of(long pid) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException gone) {
            return Optional.empty();
        }
        // "pid (comm) S ppid ...": comm may contain spaces and parentheses, so parse after the LAST ')'.
        String[] rest = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Optional.of(new ProcStat(pid, rest[0].charAt(0), Long.parseLong(rest[1])));
    }

    /** True if the process has finished running: reaped (no entry) or a zombie waiting to be reaped. */
    static boolean hasExited(long pid) {
        return of(pid).map(s -> s.state() == 'Z' || s.state() == 'X').orElse(true);
    }

    static String describe(char state) {
        return switch (state) {
            case 'R' -> "running";
            case 'S' -> "sleeping";
            case 'D' -> "in uninterruptible wait";
            case 'T', 't' -> "stopped";
            case 'Z' -> "zombie";
            case 'X' -> "dead";
            default -> "state " + state;
        };
    }
}
