package dev.polyserve.services.chat;

/**
 * A token bucket per client: {@code rate} lines per second sustained, bursts of up to {@code rate} lines (a pasted
 * snippet goes through whole). Lines are numbered within their burst, which starts afresh with any line that finds
 * the bucket full, so the sender can be told exactly which lines of a paste were not sent. Sans-I/O: the caller
 * passes the time.
 */
final class FloodControl {

    /** What to do with a line. */
    enum Verdict { ACCEPT, DROP, DISCONNECT }

    /**
     * How long a flood may go on before it is "persistent": two seconds of lines still being dropped, counted from
     * the first dropped line of the burst. A paste arrives at once and is only trimmed, however long; a script that
     * keeps sending past the report is disconnected.
     */
    static final int PERSISTENT_FLOOD_SECONDS = 2;

    private static final long NO_FLOOD = Long.MIN_VALUE;

    private final int rate;
    private double tokens;
    private long lastNanos;
    private boolean started;
    private int lineInBurst;
    private long floodSinceNanos = NO_FLOOD;

    FloodControl(int rate) {
        this.rate = rate;
        this.tokens = rate;
    }

    /** Takes one line arriving at {@code nowNanos}. */
    Verdict take(long nowNanos) {
        if (rate == 0) return Verdict.ACCEPT;
        if (started) {
            tokens = Math.min(rate, tokens + (nowNanos - lastNanos) * rate / 1e9);
        }
        started = true;
        lastNanos = nowNanos;
        if (tokens >= rate) {   // quiet long enough to refill: a new burst, and any flood is forgiven
            lineInBurst = 0;
            floodSinceNanos = NO_FLOOD;
        }
        lineInBurst++;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ACCEPT;
        }
        if (floodSinceNanos == NO_FLOOD) floodSinceNanos = nowNanos;
        return nowNanos - floodSinceNanos > PERSISTENT_FLOOD_SECONDS * 1_000_000_000L ? Verdict.DISCONNECT : Verdict.DROP;
    }

    /** The number, from 1, of the line last taken within its burst. */
    int lineInBurst() {
        return lineInBurst;
    }

    /** Lines per second allowed, and the burst size (0 = no limit). */
    int rate() {
        return rate;
    }
}
