package dev.polyserve.examples;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, re-checking every millisecond: demos never sleep and hope. */
final class Await {
    /** How often to re-check: fine enough for a demo to feel instant, coarse enough to cost nothing. */
    private static final long POLL_NANOS = 1_000_000;

    private Await() {}

    /** True as soon as {@code condition} holds; false if {@code limit} passed first. */
    static boolean until(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) return false;
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    /** Like {@link #until} but a timeout is a failure of the demo. */
    static void orFail(Duration limit, String what, BooleanSupplier condition) {
        if (!until(limit, condition)) throw new IllegalStateException("timed out after " + limit + " waiting for " + what);
    }
}
