package dev.polyserve.services.ftp;

/**
 * The limits one transfer direction of one session obeys: its own {@link TokenBucket} and the server's shared one,
 * either of which may be absent. A transfer asks {@link #delayNanos} before it moves bytes (and, when told to wait,
 * pauses reading or writing and comes back through its connection's timer, never sleeping on a loop thread), then
 * reports what it moved with {@link #took}.
 */
final class Throttle {
    /** Without limits. */
    static final Throttle NONE = new Throttle(null, null);
    /** Largest chunk a limited transfer produces at once: the engines' own file chunk. */
    static final int MAX_CHUNK = 64 * 1024;
    /** A limited transfer moves at least this many chunks a second, so bytes keep flowing at low rates. */
    static final int MIN_CHUNKS_PER_SECOND = 10;

    private final TokenBucket session;
    private final TokenBucket total;

    Throttle(TokenBucket session, TokenBucket total) {
        this.session = session;
        this.total = total;
    }

    boolean limited() {
        return session != null || total != null;
    }

    /** Nanoseconds to wait before moving more bytes; 0: now. */
    long delayNanos() {
        long a = session == null ? 0 : session.delayNanos();
        long b = total == null ? 0 : total.delayNanos();
        return Math.max(a, b);
    }

    void took(long n) {
        if (session != null) session.take(n);
        if (total != null) total.take(n);
    }

    /** How many bytes a limited sender should move at once: a tenth of a second at the slower rate, at most {@link #MAX_CHUNK}. */
    int chunk() {
        long rate = Long.MAX_VALUE;
        if (session != null) rate = session.rate();
        if (total != null) rate = Math.min(rate, total.rate());
        return (int) Math.max(1, Math.min(MAX_CHUNK, rate / MIN_CHUNKS_PER_SECOND));
    }
}
