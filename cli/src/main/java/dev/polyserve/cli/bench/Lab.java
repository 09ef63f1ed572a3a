package dev.polyserve.cli.bench;

import dev.polyserve.core.Engines;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What every lab scenario shares: the models to run, the timing options, where server logs go, the descriptor
 * limit, and the progress counter on stderr ("[3/41] 12 s epoll echo x1,000: ...").
 */
final class Lab {
    /** Idle connections are checked with one echo each; a server that has not served it by then is counted as not holding it. */
    static final int IDLE_ECHO_TIMEOUT_MILLIS = 5_000;
    /** Descriptors the lab JVM and a server need beyond the connections themselves (jars, the selector, logs). */
    static final int FD_HEADROOM = 64;

    final List<String> chosenModels;
    final boolean modelsGiven;
    final Duration warmup, duration;
    final int size;
    final Path logs;
    final long fdLimit;
    private final PrintWriter err;
    private final long began = System.nanoTime();
    private int step;
    int steps;

    Lab(List<String> chosenModels, boolean modelsGiven, Duration warmup, Duration duration, int size, Path logs, long fdLimit, PrintWriter err) {
        this.chosenModels = List.copyOf(chosenModels);
        this.modelsGiven = modelsGiven;
        this.warmup = warmup;
        this.duration = duration;
        this.size = size;
        this.logs = logs;
        this.fdLimit = fdLimit;
        this.err = err;
    }

    /**
     * The models a scenario runs: its own list, narrowed to --models when given, and to those this machine has
     * (io_uring may be off in the kernel).
     */
    List<String> models(List<String> scenarioModels) {
        return scenarioModels.stream().filter(m -> !modelsGiven || chosenModels.contains(m)).filter(Lab::available).toList();
    }

    static boolean available(String model) {
        return Engines.all().stream().anyMatch(l -> l.name().equals(model) && l.available());
    }

    /** One progress line: step counter, seconds since the lab began, what was just measured. */
    void progress(String what) {
        step++;
        err.printf(Locale.ROOT, "[%d/%d] %3.0f s  %s%n", step, Math.max(step, steps), (System.nanoTime() - began) / 1e9, what);
        err.flush();
    }

    /** An echo server of {@code model} with its log under the lab's log directory, named {@code scenario-model.log}. */
    LabServer echoServer(String scenario, String model) throws IOException, InterruptedException {
        return LabServer.start(model, logs.resolve(scenario + "-" + model + ".log"));
    }

    Path log(String scenario, String model) {
        return logs.resolve(scenario + "-" + model + ".log");
    }

    /** Why {@code n} connections do not fit under the descriptor limit, or null when they do. */
    String fdShortage(int n) {
        return fdLimit > 0 && n + FD_HEADROOM > fdLimit ? "ulimit -n is " + fdLimit : null;
    }

    /**
     * Opens up to {@code n} connections into {@code sockets}, echoes one line on each so the server has really taken
     * it on, and returns the reason it stopped short (a bounded pool or select refuses past its bound, by design),
     * or null when all {@code n} are held. The caller closes the sockets.
     */
    static String holdIdle(InetSocketAddress address, int n, List<Socket> sockets) {
        byte[] line = "idle\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            try {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(address, IDLE_ECHO_TIMEOUT_MILLIS);
                s.setSoTimeout(IDLE_ECHO_TIMEOUT_MILLIS);
                s.getOutputStream().write(line);
                if (s.getInputStream().readNBytes(line.length).length != line.length) {
                    sockets.removeLast().close();
                    return "closed by the server";
                }
            } catch (IOException refusedOrSilent) {
                try {
                    sockets.removeLast().close();
                } catch (IOException ignored) {
                    // closing a socket that never connected
                }
                return refusedOrSilent.toString();
            }
        }
        return null;
    }

    static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException alreadyGone) {
                // nothing to release
            }
        }
        sockets.clear();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException notLinux) {
            return "unknown";
        }
    }

    static long fdLimitOfThisProcess() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? 0 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // unknown: try every level
        }
        return 0;
    }

    /** Text for a Markdown table cell: a '|' would end the cell, so it becomes '/'. */
    static String cell(String text) {
        return String.valueOf(text).replace("|", "/");
    }

    /** The table row of a model without figures: its name, "failed: " and why, then {@code emptyCells} empty cells. */
    static String failedRow(String model, String error, int emptyCells) {
        return "| " + model + " | failed: " + cell(error) + " |" + " |".repeat(emptyCells) + "\n";
    }

    static String fmt(double v, String pattern) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, pattern, v) : "-";
    }
}
