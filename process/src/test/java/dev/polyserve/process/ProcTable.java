package dev.polyserve.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads /proc: process states and parents, so tests can prove that no child is left a zombie. */
final class ProcTable {
    private ProcTable() {}

    /** One line of /proc/PID/stat, the fields tests need. */
    record Entry(long pid, char state, long ppid) {}

    /** The entry of {@code pid}, or empty when the process is gone (reaped). */
    static Optional<Entry> stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
            String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new Entry(pid, rest[0].charAt(0), Long.parseLong(rest[1])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every live or zombie process whose parent is {@code ppid}. */
    static List<Entry> childrenOf(long ppid) {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(n -> stat(Long.parseLong(n))).flatMap(Optional::stream)
                    .filter(e -> e.ppid() == ppid).forEach(out::add);
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return out;
    }

    /** Zombie children of {@code ppid}. */
    static List<Entry> zombiesOf(long ppid) {
        return childrenOf(ppid).stream().filter(e -> e.state() == 'Z').toList();
    }
}
