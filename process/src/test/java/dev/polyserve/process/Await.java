package dev.polyserve.process;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition with a deadline, polling: tests never sleep and hope. */
final class Await {
    private Await() {}

    /** Polls {@code condition} until it holds; fails with {@code what} after {@code limit}. */
    static void until(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + limit + " waiting for " + what);
            try {
                Thread.sleep(10);   // a poll interval, not a wait-and-hope: the deadline above bounds it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
