package dev.polyserve.loadgen;

/**
 * The run's phases as {@link System#nanoTime()} instants, published by the coordinator to every
 * client loop: nothing is sent before {@link #started()}, completions of messages sent before
 * {@link #recordFrom()} are warm-up, and no message is sent after {@link #stopAt()}.
 */
final class RunSchedule {
    private long recordFrom;
    private long stopAt;
    /** Written last by {@link #start}; reading it true makes the two instants above visible. */
    private volatile boolean started;

    void start(long recordFromNanos, long stopAtNanos) {
        this.recordFrom = recordFromNanos;
        this.stopAt = stopAtNanos;
        this.started = true;
    }

    boolean started() {
        return started;
    }

    /** Valid once {@link #started()} returned true on the reading thread. */
    long recordFrom() {
        return recordFrom;
    }

    /** Valid once {@link #started()} returned true on the reading thread. */
    long stopAt() {
        return stopAt;
    }
}
