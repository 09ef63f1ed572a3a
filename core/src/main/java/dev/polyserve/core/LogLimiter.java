package dev.polyserve.core;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Log lines rate-limited per key (a peer's address, say): at most {@code perWindow} lines per key per window, the
 * rest counted and reported once with the next line that gets through. A flood of refusals from one peer (a
 * slowloris run, a scanner) then costs a few lines, while a refusal from anyone else still shows. nginx's
 * {@code limit_req_log_level} and the kernel's {@code printk_ratelimit} keep logs readable the same way.
 *
 * <p>Thread-safe. Keys are held for one window; past {@link #MAX_KEYS} keys the table is emptied (a spoofing flood
 * must not grow memory), which can let a few extra lines through.
 */
public final class LogLimiter {
    /** Keys remembered at once; a server's distinct misbehaving peers per window rarely come close. */
    public static final int MAX_KEYS = 10_000;

    private final Logger log;
    private final long windowNanos;
    private final int perWindow;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Object, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final long start;
        int logged;
        long suppressed;

        Window(long start) {
            this.start = start;
        }
    }

    public LogLimiter(Logger log, Duration window, int perWindow) {
        this(log, window, perWindow, System::nanoTime);
    }

    LogLimiter(Logger log, Duration window, int perWindow, LongSupplier clock) {
        if (perWindow < 1) throw new IllegalArgumentException("at least one line per window");
        this.log = log;
        this.windowNanos = window.toNanos();
        this.perWindow = perWindow;
        this.clock = clock;
    }

    /** Logs at INFO unless {@code key} already had its lines this window. */
    public void info(Object key, String format, Object... args) {
        String suffix = admit(key);
        if (suffix != null && log.isInfoEnabled()) log.info(format + suffix, args);
    }

    /** Logs at WARN unless {@code key} already had its lines this window. */
    public void warn(Object key, String format, Object... args) {
        String suffix = admit(key);
        if (suffix != null && log.isWarnEnabled()) log.warn(format + suffix, args);
    }

    /** Null to drop the line; else the text to append (a note of lines dropped before it, or nothing). */
    String admit(Object key) {
        long now = clock.getAsLong();
        if (windows.size() >= MAX_KEYS) windows.clear();
        long[] dropped = {0};
        boolean[] pass = {false};
        windows.compute(key, (k, w) -> {
            if (w == null || now - w.start >= windowNanos) {
                if (w != null) dropped[0] = w.suppressed;
                w = new Window(now);
            }
            if (w.logged < perWindow) {
                w.logged++;
                pass[0] = true;
            } else {
                w.suppressed++;
            }
            return w;
        });
        if (!pass[0]) return null;
        return dropped[0] == 0 ? "" : " (" + dropped[0] + " similar lines for " + key + " were not logged)";
    }
}
