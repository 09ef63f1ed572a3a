package dev.polyserve.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lesson: a semaphore bounds how many run at once, the course's {@code Semaphore(5)} with 20 threads. Each thread
 * takes a permit, stays inside for a moment, and leaves; a counter records how many are inside at the same time,
 * and the most it ever reached. Across processes the same lesson uses {@code ProcessSemaphore}.
 */
final class SemaphoreDemo {
    static final int THREADS = 20;
    static final int SLOTS = 5;
    /** How long a thread stays inside: long enough that the others pile up at the door. */
    static final long INSIDE_MILLIS = 50;

    record Result(int maxInside, int finished) {
        boolean lessonHeld() {
            return maxInside >= 1 && maxInside <= SLOTS && finished == THREADS;
        }
    }

    private SemaphoreDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) throws Exception {
        Semaphore slots = new Semaphore(SLOTS);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int id = i;
            threads.add(Thread.ofPlatform().name("worker-" + i).start(() -> {
                try {
                    slots.acquire();
                    try {
                        int now = inside.incrementAndGet();
                        max.accumulateAndGet(now, Math::max);
                        out.printf("thread %2d enters (%d inside)%n", id, now);
                        Thread.sleep(INSIDE_MILLIS); // the work; what is shown is how many overlap, not how long
                        inside.decrementAndGet();
                    } finally {
                        slots.release();
                    }
                    finished.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) t.join();
        Result r = new Result(max.get(), finished.get());
        out.println(r.finished() + " threads finished; the most inside at once was " + r.maxInside() + " (limit " + SLOTS + ").");
        out.println("verdict: " + (r.lessonHeld()
                ? "the semaphore never let more than " + SLOTS + " threads in at once"
                : "UNEXPECTED: " + r));
        return r;
    }
}
