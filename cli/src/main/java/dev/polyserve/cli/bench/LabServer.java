package dev.polyserve.cli.bench;

import dev.polyserve.loadgen.ProcessTreeCpu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One echo server of the lab in its own JVM ({@code polyserve serve echo --port 0 --model M}), so its CPU
 * time and memory are its own and not mixed with the load generator's. Started from this JVM's own java
 * and class path; stopped with SIGTERM (the graceful stop), then killed if it overstays.
 */
final class LabServer implements AutoCloseable {
    /** A JVM starts and binds in well under a second here; a loaded machine gets ample margin. */
    static final long START_TIMEOUT_SECONDS = 30;
    static final long STOP_TIMEOUT_SECONDS = 10;
    private static final Pattern LISTENING = Pattern.compile("listening on ([^ ]+):(\\d+) ");
    private static final long KIB = 1024;

    private final Process process;
    /** Stops the server when the lab is interrupted (Ctrl-C) mid-run, so no server JVM outlives it. */
    private final Thread stopOnExit;
    final InetSocketAddress address;
    /** Launch to "listening on": JVM start plus engine start. */
    final double startSeconds;

    private LabServer(Process process, InetSocketAddress address, double startSeconds) {
        this.process = process;
        this.address = address;
        this.stopOnExit = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        });
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        this.startSeconds = startSeconds;
    }

    /** {@code polyserve serve echo} on {@code model}. */
    static LabServer start(String model, Path log) throws IOException, InterruptedException {
        return start(model, log, List.of("dev.polyserve.cli.Main", "serve", "echo", "--host", "127.0.0.1", "--port", "0", "--model", model));
    }

    /**
     * A server JVM running {@code mainAndArgs} (a main class and its arguments) on this JVM's class path; it must
     * print the pipeline's "listening on HOST:PORT " line. {@code label} names it in messages.
     */
    static LabServer start(String label, Path log, List<String> mainAndArgs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The launcher's options: a server whose heap ran out exits (status 3) instead of skewing a run unseen.
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xlog:os+thread=off",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        p.getOutputStream().close();
        var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // The read blocks until the line or the end of stdout; a watchdog ends a server that never announces.
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                if (!p.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException stopped) {
                // announced in time
            }
        });
        try {
            for (String line; (line = lines.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    double seconds = (System.nanoTime() - started) / 1e9;
                    Thread.ofVirtual().start(() -> drain(lines)); // keep stdout drained
                    return new LabServer(p, new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))), seconds);
                }
            }
        } finally {
            watchdog.interrupt();
        }
        p.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        throw new IOException("the " + label + " server did not start (see " + log + ")");
    }

    private static void drain(BufferedReader lines) {
        try {
            lines.transferTo(java.io.Writer.nullWriter());
        } catch (IOException stoppedServer) {
            // the stream closes when the server is stopped: nothing more to drain
        }
    }

    long pid() {
        return process.pid();
    }

    /** CPU seconds (user + system) of the server's whole process tree so far. */
    double cpuSeconds() {
        return ProcessTreeCpu.system().treeSeconds(process.pid());
    }

    /** Resident memory of the server and its child processes (prefork workers), in bytes, from /proc. */
    long residentBytes() {
        long sum = rss(process.pid());
        for (ProcessHandle child : process.descendants().toList()) sum += rss(child.pid());
        return sum;
    }

    private static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * KIB;
            }
        } catch (IOException | NumberFormatException gone) {
            // the process ended between listing and reading
        }
        return 0;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException exiting) {
            // the hook is running or about to: it stops the server
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
