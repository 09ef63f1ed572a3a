package dev.polyserve.examples;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lesson: deadlock, and three ways out. Two threads take two locks in opposite order; a latch makes sure each
 * holds its first lock before reaching for the second, so the deadlock happens every time, not by luck. The JVM
 * finds the cycle ({@link ThreadMXBean#findDeadlockedThreads}); the demo prints it, breaks it, then shows the
 * fixes: one global lock order, and {@code tryLock} with a timeout and a retry. Last, the course's {@code RLock}:
 * a re-entrant lock can be taken again by its holder, where a plain lock would deadlock with itself.
 */
final class DeadlockDemo {
    static final Duration LIMIT = ProcessesDemo.STEP_LIMIT;
    /** How long a tryLock waits for the second lock before backing off and retrying. */
    static final Duration TRY_LOCK_TIMEOUT = Duration.ofMillis(10);
    /** Rounds each thread runs in the fixed versions: enough to meet the other thread often. */
    static final int ROUNDS = 1_000;
    static final int REENTRY_DEPTH = 3;

    record Result(List<String> cycle, boolean orderedFinished, boolean tryLockFinished, int tryLockRetries,
                  int reentrantHoldCount, boolean plainLockRefusedReentry) {
        boolean lessonHeld() {
            return cycle.size() == 2 && orderedFinished && tryLockFinished && reentrantHoldCount == REENTRY_DEPTH
                    && plainLockRefusedReentry;
        }
    }

    private DeadlockDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) throws Exception {
        List<String> cycle = deadlock(out);
        boolean ordered = lockOrdering(out);
        int[] retries = new int[1];
        boolean tried = tryLockWithTimeout(out, retries);
        int holds = reentrant(out);
        boolean refused = plainLockIsNotReentrant(out);
        Result r = new Result(cycle, ordered, tried, retries[0], holds, refused);
        out.println("verdict: " + (r.lessonHeld()
                ? "opposite lock order deadlocked and was detected; one lock order or tryLock with a timeout avoids it; only a re-entrant lock can be re-taken by its holder"
                : "UNEXPECTED: " + r));
        return r;
    }

    private static List<String> deadlock(PrintStream out) throws Exception {
        ReentrantLock a = new NamedLock("lock A");
        ReentrantLock b = new NamedLock("lock B");
        CountDownLatch bothHoldFirst = new CountDownLatch(2);
        Thread t1 = grabInOrder("thread 1", a, b, bothHoldFirst);
        Thread t2 = grabInOrder("thread 2", b, a, bothHoldFirst);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[][] found = new long[1][];
        Await.orFail(LIMIT, "the JVM to see the deadlock", () -> (found[0] = mx.findDeadlockedThreads()) != null && found[0].length == 2);
        List<String> cycle = new ArrayList<>();
        out.println("Deadlock detected by ThreadMXBean.findDeadlockedThreads():");
        for (ThreadInfo info : mx.getThreadInfo(found[0])) {
            // The JVM names the lock's internal sync object; the demo knows which of its locks that is.
            boolean first = info.getThreadName().equals("thread 1");
            String line = info.getThreadName() + " (" + info.getThreadState() + ") holds " + (first ? a : b)
                    + " and waits for " + (first ? b : a) + ", which is held by " + info.getLockOwnerName();
            out.println("  " + line);
            cycle.add(line);
        }
        t1.interrupt(); // lockInterruptibly lets us break the cycle so the demo can go on
        t2.interrupt();
        t1.join(LIMIT.toMillis());
        t2.join(LIMIT.toMillis());
        out.println("  (broken by interrupting both threads)");
        return cycle;
    }

    private static Thread grabInOrder(String name, ReentrantLock first, ReentrantLock second, CountDownLatch bothHoldFirst) {
        return Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                first.lockInterruptibly();
                try {
                    bothHoldFirst.countDown();
                    bothHoldFirst.await(); // now each holds one lock and wants the other's
                    second.lockInterruptibly();
                    second.unlock();
                } finally {
                    first.unlock();
                }
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Fix 1: every thread takes the locks in the same global order (A before B), so no cycle can form. */
    private static boolean lockOrdering(PrintStream out) throws Exception {
        ReentrantLock a = new NamedLock("lock A");
        ReentrantLock b = new NamedLock("lock B");
        Runnable work = () -> {
            for (int i = 0; i < ROUNDS; i++) {
                a.lock(); // always A first
                try {
                    b.lock();
                    b.unlock();
                } finally {
                    a.unlock();
                }
            }
        };
        Thread t1 = Thread.ofPlatform().daemon().start(work);
        Thread t2 = Thread.ofPlatform().daemon().start(work);
        t1.join(LIMIT.toMillis());
        t2.join(LIMIT.toMillis());
        boolean done = !t1.isAlive() && !t2.isAlive();
        out.println("Fix 1, one lock order (A then B) in both threads: " + ROUNDS + " rounds each, finished: " + done);
        return done;
    }

    /** Fix 2: take the first lock, try the second with a timeout, and on failure let go of both and retry. */
    private static boolean tryLockWithTimeout(PrintStream out, int[] retriesOut) throws Exception {
        ReentrantLock a = new NamedLock("lock A");
        ReentrantLock b = new NamedLock("lock B");
        AtomicInteger retries = new AtomicInteger();
        Thread t1 = Thread.ofPlatform().daemon().start(() -> backOffLoop(a, b, retries));
        Thread t2 = Thread.ofPlatform().daemon().start(() -> backOffLoop(b, a, retries));
        t1.join(LIMIT.toMillis());
        t2.join(LIMIT.toMillis());
        boolean done = !t1.isAlive() && !t2.isAlive();
        retriesOut[0] = retries.get();
        out.println("Fix 2, opposite orders but tryLock(" + TRY_LOCK_TIMEOUT.toMillis() + " ms) and retry: " + ROUNDS
                + " rounds each, finished: " + done + " (" + retries.get() + " back-offs this run)");
        return done;
    }

    private static void backOffLoop(ReentrantLock first, ReentrantLock second, AtomicInteger retries) {
        try {
            for (int i = 0; i < ROUNDS; ) {
                first.lock();
                try {
                    if (second.tryLock(TRY_LOCK_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                        second.unlock();
                        i++;
                        continue;
                    }
                } finally {
                    first.unlock();
                }
                retries.incrementAndGet(); // gave up both locks; wait a random moment so the two threads desynchronise
                TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(100, 1000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The course's RLock: the holder may take it again; it is free only after as many unlocks. */
    private static int reentrant(PrintStream out) {
        ReentrantLock rlock = new ReentrantLock();
        int depth = takeAgain(rlock, REENTRY_DEPTH);
        out.println("RLock: a recursive function took the same ReentrantLock " + depth + " times without blocking itself; held now: " + rlock.isLocked());
        return depth;
    }

    private static int takeAgain(ReentrantLock rlock, int levels) {
        rlock.lock();
        try {
            return levels == 1 ? rlock.getHoldCount() : takeAgain(rlock, levels - 1);
        } finally {
            rlock.unlock();
        }
    }

    /** A plain (non-re-entrant) lock taken twice by its holder would wait for ever: show it with a timeout. */
    private static boolean plainLockIsNotReentrant(PrintStream out) throws InterruptedException {
        Semaphore plainLock = new Semaphore(1); // a mutex with no owner, like the course's Lock
        plainLock.acquire();
        boolean again = plainLock.tryAcquire(TRY_LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        plainLock.release();
        out.println("Lock: its holder asking for it again would wait for ever (here: gave up after "
                + TRY_LOCK_TIMEOUT.toMillis() + " ms): " + !again);
        return !again;
    }

    /** A ReentrantLock that prints as its name in the deadlock report. */
    private static final class NamedLock extends ReentrantLock {
        private final String name;

        NamedLock(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
