package dev.polyserve.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's open-file limit, read from {@code /proc/self/limits}. Each connection costs one
 * descriptor on each side; the default soft limit (often 1024) ends a 10,000-connection run early,
 * so we check before we start and say how to raise it ({@code ulimit -n}).
 */
final class FdLimit {
    /** Descriptors the JVM itself holds (jars, selectors and their wake-up pipes, stdio) plus margin. */
    static final int HEADROOM = 64;

    private FdLimit() {}

    /** The soft limit, or empty where /proc is not available or says "unlimited". */
    static OptionalLong soft(Path limitsFile) {
        try {
            for (String line : Files.readAllLines(limitsFile)) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or an unexpected format: the run will fail with EMFILE if the limit is too low.
        }
        return OptionalLong.empty();
    }

    /** Throws with advice when {@code connections} cannot fit under this process's limit. */
    static void require(int connections) {
        OptionalLong limit = soft(Path.of("/proc/self/limits"));
        if (limit.isPresent() && connections + HEADROOM > limit.getAsLong()) {
            throw new IllegalArgumentException(connections + " connections need about " + (connections + HEADROOM)
                    + " file descriptors but this process may open " + limit.getAsLong()
                    + "; raise the limit in the shell first (e.g. `ulimit -n " + Math.max(connections * 2L, 4096)
                    + "`; the server needs the same)");
        }
    }
}
