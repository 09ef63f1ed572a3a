package dev.polyserve.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the {@code prefork} and {@code process} models start their child JVMs. A JVM cannot fork, so a master
 * re-launches a JVM that rebuilds the same service; the child learns its role (prefork worker, or the stdio end
 * of one connection) from {@code POLYSERVE_*} environment variables, not from its command line.
 *
 * <p>Two ways to rebuild the service:
 * <ul>
 *   <li>The {@code polyserve} CLI calls {@link #relaunchThisCommandLine()}: children re-run the very command
 *       line the user typed ({@code polyserve serve echo --model prefork ...}), so every service option is
 *       honoured without a second encoding of the options.</li>
 *   <li>Otherwise (a library user, the tests) children run {@link ChildMain} on the same class path, which
 *       instantiates the service's class through its public no-argument constructor.</li>
 * </ul>
 */
public final class ProcessModels {
    /** The in-process engine each prefork worker runs when nothing else is asked: one selector loop per core. */
    public static final String DEFAULT_WORKER_MODEL = "nio";

    private static volatile List<String> commandLine;
    private static volatile String workerModel = DEFAULT_WORKER_MODEL;

    private ProcessModels() {}

    /** Children re-run {@code argv} (a full command: the java executable, JVM options, main class, arguments). */
    public static void relaunchCommandLine(List<String> argv) {
        if (argv.isEmpty()) throw new IllegalArgumentException("a relaunch command line needs at least the executable");
        commandLine = List.copyOf(argv);
    }

    /** Children re-run this JVM's own command line, read from {@code /proc/self/cmdline}. */
    public static void relaunchThisCommandLine() {
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
            relaunchCommandLine(argv);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/cmdline to relaunch children: " + e.getMessage(), e);
        }
    }

    /** The command line children re-run, when one was set. */
    static Optional<List<String>> commandLine() {
        return Optional.ofNullable(commandLine);
    }

    /** The in-process model prefork workers run ({@code --worker-model}). */
    public static void workerModel(String model) {
        if (model.equals("prefork") || model.equals("process")) {
            throw new IllegalArgumentException("--worker-model must be an in-process model, not '" + model + "'");
        }
        workerModel = Objects.requireNonNull(model);
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

    static String workerModel() {
        return workerModel;
    }
}
