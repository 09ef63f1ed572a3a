package dev.polyserve.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A rate a peer must keep up, judged over a window: in every {@code window} during which work was waiting on the
 * peer, it must move at least {@code bytesPerSecond x window} bytes. Apache's mod_reqtimeout has the same shape
 * ({@code body=20,MinRate=500}); nginx's {@code client_body_timeout} and {@code send_timeout} are its rate-zero
 * cousins (any progress within the window will do), which a peer trickling one byte a window defeats.
 *
 * @param bytesPerSecond the slowest acceptable average, at least 1
 * @param window         how long a stretch is judged at once; longer forgives bursty links, shorter frees
 *                       resources sooner
 */
public record MinimumRate(long bytesPerSecond, Duration window) {

    public MinimumRate {
        if (bytesPerSecond < 1) throw new IllegalArgumentException("minimum rate must be at least 1 byte per second");
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("rate window must be positive");
    }

    /** The bytes one window must see. */
    public long bytesPerWindow() {
        double b = (double) bytesPerSecond * window.toNanos() / 1e9;
        return (long) Math.min(Long.MAX_VALUE, Math.max(1, Math.ceil(b)));
    }

    /** {@code 500 B/s over 20s}, for log lines. */
    @Override
    public String toString() {
        long ms = window.toMillis();
        return bytesPerSecond + " B/s over " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms");
    }
}
