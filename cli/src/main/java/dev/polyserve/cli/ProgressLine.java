package dev.polyserve.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntSupplier;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The one progress display of the commands that show one ({@code bench echo}, {@code bench chat}, FTP transfers):
 * a single line redrawn in place, cut to the terminal's width so it never wraps and scrolls, and nothing at all
 * when standard error is not a terminal (a script's log or a pipe gets only the final report).
 */
public final class ProgressLine {
    /** Width when neither {@code COLUMNS} nor the terminal says: the classic terminal's. */
    public static final int DEFAULT_WIDTH = 80;

    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    /** Characters of the line now on screen. */
    private int shown;

    /** @param terminal false: show nothing (not an interactive terminal) */
    public ProgressLine(PrintStream out, boolean terminal, int width) {
        this.out = out;
        this.terminal = terminal;
        this.width = Math.max(1, width);
    }

    /** On stderr, when stderr is a terminal ({@link #stderrIsTerminal}); as wide as {@link #terminalWidth}. */
    public static ProgressLine onStderr() {
        return onStderr(ProgressLine::jlineWidth);
    }

    /** As {@link #onStderr()}, the width coming from {@code terminal} (an open JLine terminal's) when COLUMNS is unset. */
    public static ProgressLine onStderr(IntSupplier terminal) {
        boolean interactive = stderrIsTerminal();
        return new ProgressLine(System.err, interactive, interactive ? terminalWidth(System.getenv(), terminal) : DEFAULT_WIDTH);
    }

    /**
     * Whether standard error, where the line goes, is a terminal. {@code System.console()} only tells about stdin and
     * stdout, so {@code get URL 2>log} at a terminal wrote every redraw into the log; Linux names fd 2's file in /proc.
     * Elsewhere the console is asked after all.
     */
    static boolean stderrIsTerminal() {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null && System.console().isTerminal();
        }
    }

    /** A pseudo-terminal, a console or a serial line, as opposed to a file, a pipe ({@code pipe:[N]}) or a socket. */
    static boolean isTerminalDevice(String path) {
        return path.startsWith("/dev/pts/") || path.startsWith("/dev/tty") || path.equals("/dev/console");
    }

    /** Shows nothing: {@code --quiet}. */
    public static ProgressLine quiet() {
        return new ProgressLine(System.err, false, DEFAULT_WIDTH);
    }

    /**
     * The terminal's width: {@code COLUMNS} when the shell exported it, else what the terminal reports (JLine asks
     * the kernel), else {@link #DEFAULT_WIDTH}.
     */
    static int terminalWidth(Map<String, String> env, IntSupplier terminal) {
        try {
            int columns = Integer.parseInt(env.getOrDefault("COLUMNS", "").strip());
            if (columns > 0) return columns;
        } catch (NumberFormatException notSet) {
            // ask the terminal
        }
        int w = terminal.getAsInt();
        return w > 0 ? w : DEFAULT_WIDTH;
    }

    private static int jlineWidth() {
        try (Terminal t = TerminalBuilder.builder().system(true).dumb(true).build()) {
            return t.getWidth();
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** True when lines are shown at all. */
    public boolean visible() {
        return terminal;
    }

    /** Columns a line may use: one less than the terminal, whose last column would wrap on some terminals. */
    public int columns() {
        return width - 1;
    }

    /** Longest bar: past this a wider terminal only gets more blank space. */
    public static final int MAX_BAR = 24;
    /** Shortest bar worth drawing; a terminal too narrow for it gets the figures alone. */
    public static final int MIN_BAR = 6;

    /**
     * {@code PREFIX[=====>     ] FIGURES}, the bar as long as the terminal leaves room for (at most {@link #MAX_BAR}),
     * left out when not even {@link #MIN_BAR} fits or the fraction is unknown (negative).
     */
    public String bar(String prefix, double fraction, String figures) {
        int bar = Math.min(MAX_BAR, columns() - prefix.length() - figures.length() - 3);   // "[", "] "
        if (bar < MIN_BAR || fraction < 0) return prefix + figures;
        int filled = (int) Math.round(Math.min(1, fraction) * bar);
        String drawn = filled >= bar ? "=".repeat(bar) : "=".repeat(filled) + ">" + " ".repeat(bar - filled - 1);
        return prefix + "[" + drawn + "] " + figures;
    }

    /** Redraws the line as {@code line}, cut to {@link #columns()}. */
    public void show(String line) {
        if (!terminal) return;
        String fit = line.length() > columns() ? line.substring(0, columns()) : line;
        String padded = fit.length() < shown ? fit + " ".repeat(shown - fit.length()) : fit;
        out.print("\r" + padded);
        out.flush();
        shown = fit.length();
    }

    /** Leaves {@code line} on screen and ends it: a final state worth keeping (a finished transfer). */
    public void finish(String line) {
        if (!terminal) return;
        show(line);
        out.print("\n");
        out.flush();
        shown = 0;
    }

    /** Wipes the line, leaving the terminal clean for a report. */
    public void clear() {
        if (!terminal || shown == 0) return;
        out.print("\r" + " ".repeat(shown) + "\r");
        out.flush();
        shown = 0;
    }
}
