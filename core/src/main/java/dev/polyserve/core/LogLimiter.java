package dev.polyserve.core;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines rate-limited per key (a peer's address, say): at most {@code perWindow} lines per key per window, the
 * rest counted and reported once the window ends, in a line of their own (or with the next line that gets through,
 * if that comes first). A flood of refusals from one peer (a slowloris run, a scanner) then costs a few lines, while
 * a refusal from anyone else still shows. nginx's {@code limit_req_log_level} and the kernel's
 * {@code printk_ratelimit} keep logs readable the same way.
 *
 * <p>Thread-safe. Keys are held for one window; past {@link #MAX_KEYS} keys the table is emptied (a spoofing flood
 * must not grow memory), which can let a few extra lines through and lose the count of those held back.
 */
public final class LogLimiter {
    /** Keys remembered at once; a server's distinct misbehaving peers per window rarely come close. */
    public static final int MAX_KEYS = 10_000;

    /**
     * Writes the count of held-back lines when a window ends. One daemon thread for every limiter, started with the
     * class: the lines held back are mostly about a shortage (threads among them), when a new thread may not start.
     */
    private static final ScheduledThreadPoolExecutor WINDOW_ENDS = startWindowEnds();

    private final Logger log;
    private final long windowNanos;
    private final int perWindow;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Object, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final long start;
        int logged;
        long suppressed;
        /** The level of the lines held back, for the line that counts them. */
        Level level = Level.INFO;

        Window(long start) {
            this.start = start;
        }
    }

    public LogLimiter(Logger log, Duration window, int perWindow) {
        this(log, window, perWindow, System::nanoTime);
    }

    /** With {@code clock} standing in for {@link System#nanoTime} in deciding windows (the count still goes out on time). */
    LogLimiter(Logger log, Duration window, int perWindow, LongSupplier clock) {
        if (perWindow < 1) throw new IllegalArgumentException("at least one line per window");
        this.log = log;
        this.windowNanos = window.toNanos();
        this.perWindow = perWindow;
        this.clock = clock;
    }

    /** Logs at INFO unless {@code key} already had its lines this window. */
    public void info(Object key, String format, Object... args) {
        String suffix = admit(key, Level.INFO);
        if (suffix != null && log.isInfoEnabled()) log.info(format + suffix, args);
    }

    /** Logs at WARN unless {@code key} already had its lines this window. */
    public void warn(Object key, String format, Object... args) {
        String suffix = admit(key, Level.WARN);
        if (suffix != null && log.isWarnEnabled()) log.warn(format + suffix, args);
    }

    /** Null to drop the line; else the text to append (a note of lines dropped before it, or nothing). */
    String admit(Object key, Level level) {
        long now = clock.getAsLong();
        if (windows.size() >= MAX_KEYS) windows.clear();
        long[] dropped = {0};
        boolean[] pass = {false};
        Window[] firstHeldBack = {null};
        windows.compute(key, (k, w) -> {
            if (w == null || now - w.start >= windowNanos) {
                if (w != null) dropped[0] = w.suppressed;
                w = new Window(now);
            }
            if (w.logged < perWindow) {
                w.logged++;
                pass[0] = true;
            } else {
                if (w.suppressed++ == 0) firstHeldBack[0] = w;
                w.level = level;
            }
            return w;
        });
        if (firstHeldBack[0] != null) countAtWindowEnd(key, firstHeldBack[0], now);
        if (!pass[0]) return null;
        return dropped[0] == 0 ? "" : " (" + dropped[0] + " similar lines for " + key + " were not logged)";
    }

    private void countAtWindowEnd(Object key, Window w, long now) {
        try {
            WINDOW_ENDS.schedule(() -> flush(key, w), Math.max(0, w.start + windowNanos - now), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException | OutOfMemoryError noThread) {
            // No flusher (it could not start): the count then goes out with the key's next line, as it always could.
        }
    }

    /** Writes the count of {@code w}'s held-back lines, unless a later line (a new window) already took it. */
    private void flush(Object key, Window w) {
        long[] dropped = {0};
        windows.computeIfPresent(key, (k, current) -> {
            if (current != w) return current;
            dropped[0] = w.suppressed;
            return null; // the window has ended: the key's next line opens a new one
        });
        if (dropped[0] == 0) return;
        String line = "{} similar lines for {} were not logged in the last {}";
        long millis = TimeUnit.NANOSECONDS.toMillis(windowNanos);
        String window = millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
        if (w.level == Level.WARN) log.warn(line, dropped[0], key, window);
        else log.info(line, dropped[0], key, window);
    }

    private static ScheduledThreadPoolExecutor startWindowEnds() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "log-window-ends");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        try {
            executor.prestartCoreThread();
        } catch (OutOfMemoryError noThread) {
            // Started at a shortage: scheduling tries again, and falls back to the next line (countAtWindowEnd).
        }
        return executor;
    }
}
