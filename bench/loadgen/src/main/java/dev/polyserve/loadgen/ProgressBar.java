package dev.polyserve.loadgen;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn in place on a terminal; when stderr is a file or a
 * pipe (a script's log) it prints a plain line once a second instead of carriage-return noise.
 */
public final class ProgressBar implements ProgressDisplay {
    /** Characters of bar: fits an 80-column terminal with the figures beside it. */
    static final int WIDTH = 24;
    /** How often a non-terminal gets a line: often enough to see a run is alive, rare enough for a log. */
    static final long PLAIN_INTERVAL_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private long lastPlainLine;
    private int lastLength;

    public ProgressBar(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Draws on System.err, in place when the JVM's console is an interactive terminal. */
    public static ProgressBar onStderr() {
        var console = System.console();
        return new ProgressBar(System.err, console != null && console.isTerminal());
    }

    @Override
    public void connecting(long connected, int requested) {
        show(String.format(Locale.ROOT, "connecting %,d/%,d", connected, requested));
    }

    @Override
    public void running(Phase phase, double elapsed, double total, double rate, long connected, int requested) {
        int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, Math.round(WIDTH * elapsed / total));
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        String label = switch (phase) {
            case WARMUP -> "warm-up  ";
            case MEASURING -> "measuring";
            case DRAINING -> "draining ";
        };
        show(String.format(Locale.ROOT, "[%s] %s %5.1f/%.1f s  %,12.0f msgs/s  conns %,d/%,d",
                bar, label, elapsed, total, rate, connected, requested));
    }

    @Override
    public void done() {
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
        lastLength = 0;
    }

    private void show(String line) {
        if (terminal) {
            String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
            out.print("\r" + padded);
            out.flush();
            lastLength = line.length();
            return;
        }
        long now = System.nanoTime();
        if (lastPlainLine == 0 || now - lastPlainLine >= PLAIN_INTERVAL_NANOS) {
            lastPlainLine = now;
            out.println(line);
        }
    }
}
