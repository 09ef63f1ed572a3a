package dev.polyserve.core;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting on a condition with a deadline, instead of sleeping and hoping. */
public final class Await {
    private Await() {}

    /** Polls {@code condition} until it holds; fails with {@code what} (and the last value) past {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, () -> what, condition);
    }

    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what.get());
            }
            try {
                Thread.sleep(pause); // a poll interval, not a guess: the deadline decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what.get());
            }
            pause = Math.min(pause * 2, 50);
        }
    }
}
