package dev.polyserve.examples;

import java.time.Duration;

/**
 * A flag threads can wait for: the course's {@code threading.Event} (the JDK has latches, which cannot be reset,
 * but no resettable event). {@link #set} wakes every waiter; {@link #clear} makes new waiters wait again.
 */
final class Event {
    private boolean set; // guarded by this

    synchronized void set() {
        set = true;
        notifyAll();
    }

    synchronized void clear() {
        set = false;
    }

    synchronized boolean isSet() {
        return set;
    }

    /** Waits until the flag is set; true if it was set within {@code timeout}. */
    synchronized boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!set) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
