package dev.polyserve.services.chat;

/**
 * A token bucket per client: {@code rate} lines per second sustained, bursts of up to {@code rate} lines.
 * Sans-I/O: the caller passes the time.
 */
final class FloodControl {

    /** What to do with a line. */
    enum Verdict { ACCEPT, DROP_AND_WARN, DROP, DISCONNECT }

    /**
     * Dropped lines, counted since the bucket was last full, that make a flood "persistent": two seconds' worth
     * at the allowed rate. A person who pasted too much is warned once and recovers after a second of quiet;
     * a script that keeps going past the warning is disconnected.
     */
    static final int PERSISTENT_FLOOD_SECONDS = 2;

    private final int rate;
    private double tokens;
    private long lastNanos;
    private int dropped;
    private boolean started;

    FloodControl(int rate) {
        this.rate = rate;
        this.tokens = rate;
    }

    Verdict take(long nowNanos) {
        if (rate == 0) return Verdict.ACCEPT;
        if (started) {
            tokens = Math.min(rate, tokens + (nowNanos - lastNanos) * rate / 1e9);
        }
        started = true;
        lastNanos = nowNanos;
        if (tokens >= rate) dropped = 0;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ACCEPT;
        }
        dropped++;
        if (dropped > PERSISTENT_FLOOD_SECONDS * rate) return Verdict.DISCONNECT;
        return dropped == 1 ? Verdict.DROP_AND_WARN : Verdict.DROP;
    }
}
