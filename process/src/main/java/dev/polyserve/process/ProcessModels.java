package dev.polyserve.process;

import dev.polyserve.core.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@code prefork} and {@code process} models need from the process they run in. A JVM cannot fork, so a
 * master re-launches a JVM that rebuilds the same service; the child learns its role (prefork worker, or the stdio
 * end of one connection) from {@code POLYSERVE_*} environment variables, not from its command line. How it
 * rebuilds the service is the configuration's business ({@link ServerConfig#relaunchCommand()}): the CLI passes
 * {@link #thisCommandLine()}, so children re-run the very command the user typed.
 */
public final class ProcessModels {
    private ProcessModels() {}

    /** This JVM's own command line (the java executable, JVM options, main class, arguments), from {@code /proc/self/cmdline}. */
    public static List<String> thisCommandLine() {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            List<String> argv = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    argv.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return List.copyOf(argv);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/cmdline to relaunch children: " + e.getMessage(), e);
        }
    }

    /**
     * True in a child JVM that a prefork master or the process model started: it serves on the master's behalf,
     * and the master alone speaks for the server (its one "listening on" line).
     */
    public static boolean inChildProcess() {
        return ChildRole.current().isPresent();
    }

    /**
     * Where prefork masters keep their stats segments and control sockets, and where {@code polyserve status}
     * looks: {@code $XDG_RUNTIME_DIR/polyserve} when set (per user, RAM-backed), else {@code java.io.tmpdir/polyserve-USER}.
     */
    public static Path runtimeDirectory() throws IOException {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg, "polyserve")
                : Path.of(System.getProperty("java.io.tmpdir"), "polyserve-" + System.getProperty("user.name"));
        Files.createDirectories(dir);
        return dir;
    }
}
