package dev.polyserve.process.ipc;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Exponential back-off with jitter for polling waits that have no kernel wake-up (no futex is reachable from
 * the JDK for a file lock's try path). Sleeping, not spinning: waiters cost a wake-up per round, not a core.
 */
final class Backoff {
    /** First pause: about one context switch, so a lock released "just now" is picked up quickly. */
    static final long MIN_PAUSE_NANOS = 20_000;
    /**
     * Longest pause: 2 ms bounds how late a waiter notices a free slot, while keeping a hundred idle waiters to
     * a few thousand wake-ups a second.
     */
    static final long MAX_PAUSE_NANOS = 2_000_000;

    private long pause = MIN_PAUSE_NANOS;

    /**
     * Parks for the current pause (randomised in [pause/2, pause] so waiters that collided do not collide again),
     * never past {@code deadlineNanos}, then doubles the pause.
     */
    void pause(long deadlineNanos) throws InterruptedException {
        long jittered = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
        long left = deadlineNanos - System.nanoTime();
        LockSupport.parkNanos(Math.max(0, Math.min(jittered, left)));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
    }
}
