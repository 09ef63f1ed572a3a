package dev.polyserve.services.ftp;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket of bytes: it fills at {@link #rate} bytes a second up to {@link #burst}, and a transfer takes
 * what it moved. Taking may overdraw it (a chunk is moved whole, then paid for), and a transfer waits while it
 * is overdrawn, so over any span {@code t} no more than {@code burst + rate * t + one chunk} bytes move, and a
 * transfer that waits exactly as told moves {@code rate} bytes a second on average. Shared by every session of a
 * server for a total limit, hence synchronized. Time comes from {@code nanoClock}, so tests run it without waiting.
 */
final class TokenBucket {
    /**
     * The burst is this much time at the rate: it absorbs a late wake-up (a timer on a loaded event loop fires
     * late; the tokens wait in the bucket instead of being lost) and costs at most 50 ms of over-speed per pause.
     */
    static final Duration BURST_TIME = Duration.ofMillis(50);
    /** At low rates the burst is still one loopback segment's worth, so a few bytes never wait alone. */
    static final long MIN_BURST = 16 * 1024;

    private final long rate;
    private final long burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    TokenBucket(long bytesPerSecond, LongSupplier nanoClock) {
        if (bytesPerSecond < TransferRates.MIN_RATE) {
            throw new IllegalArgumentException("rate must be at least " + TransferRates.MIN_RATE + " bytes/s");
        }
        this.rate = bytesPerSecond;
        this.burst = Math.max(MIN_BURST, (long) (bytesPerSecond * (BURST_TIME.toNanos() / 1e9)));
        this.nanoClock = nanoClock;
        this.tokens = burst; // a transfer starts without waiting
        this.last = nanoClock.getAsLong();
    }

    TokenBucket(long bytesPerSecond) {
        this(bytesPerSecond, System::nanoTime);
    }

    long rate() {
        return rate;
    }

    long burst() {
        return burst;
    }

    /** Nanoseconds until the bucket is no longer overdrawn; 0: move bytes now. */
    synchronized long delayNanos() {
        refill();
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1e9 / rate);
    }

    /** {@code n} bytes moved. */
    synchronized void take(long n) {
        refill();
        tokens -= n;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - last;
        if (elapsed <= 0) return;
        last = now;
        tokens = Math.min(burst, tokens + elapsed * (rate / 1e9));
    }
}
