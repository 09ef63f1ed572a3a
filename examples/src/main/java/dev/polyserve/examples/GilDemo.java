package dev.polyserve.examples;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Lesson: the GIL, and its absence on the JVM. The course shows that CPython threads do not speed up CPU-bound
 * work, because only the thread holding the global interpreter lock runs bytecode. Java has no such lock: the
 * same fixed amount of work split over 1, 2 and N threads runs on as many cores as there are.
 *
 * <p>What is checked is not a speed (that depends on the machine and its load) but the mechanism: the answer is
 * the same on any number of threads, and while the threads work, a sampler never finds one of them waiting for
 * a lock ({@code BLOCKED}/{@code WAITING}), which is where a GIL would park them. Speed-ups and the CPU time
 * the threads used per wall-clock second are printed for the learner.
 */
final class GilDemo {
    /** Work units (numbers tested for primality) per run: about a second on one core of a laptop. */
    static final int DEFAULT_WORK = 2_000_000;

    /** The sampler looks every half millisecond: often enough to catch every worker, rarely enough to cost no core. */
    static final long SAMPLE_PERIOD_NANOS = 500_000;

    record Run(int threads, long answer, long wallNanos, long cpuNanos) {
        double parallelism() {
            return (double) cpuNanos / wallNanos;
        }
    }

    record Result(List<Run> runs, Set<Thread.State> statesSeenWhileWorking) {
        boolean lessonHeld() {
            long answer = runs.getFirst().answer();
            return runs.stream().allMatch(r -> r.answer() == answer)
                    && !statesSeenWhileWorking.isEmpty()
                    && EnumSet.of(Thread.State.RUNNABLE).containsAll(statesSeenWhileWorking);
        }
    }

    private GilDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out, DEFAULT_WORK).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out, int work) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> counts = new ArrayList<>(List.of(1, 2));
        if (cores > 2) counts.add(cores);
        out.println("Counting primes below " + work + " split over 1, 2" + (cores > 2 ? " and " + cores : "")
                + " threads (" + cores + " cores here).");
        Set<Thread.State> states = ConcurrentHashMap.newKeySet();
        List<Run> runs = new ArrayList<>();
        for (int n : counts) {
            Run r = runOn(n, work, states);
            runs.add(r);
            out.printf("  %d thread%s: %d primes, %6.0f ms wall, %.2f cores busy on average, speed-up x%.2f%n",
                    n, n == 1 ? " " : "s", r.answer(), r.wallNanos() / 1e6, r.parallelism(),
                    (double) runs.getFirst().wallNanos() / r.wallNanos());
        }
        out.println("  thread states sampled while working: " + states + " (a GIL would show them BLOCKED or WAITING)");
        out.printf("  load average here: %.2f on %d cores; other programs competing for the cores lower the speed-up.%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), cores);
        out.println("  CPython with the GIL: speed-up about x1.0 for CPU-bound threads, whatever the cores.");
        Result result = new Result(runs, states);
        out.println("verdict: " + (result.lessonHeld()
                ? "Java threads ran the CPU-bound work side by side with no global lock between them; the speed-up is bounded by the cores, not by an interpreter lock"
                : "UNEXPECTED: " + result));
        return result;
    }

    private static Run runOn(int threads, int work, Set<Thread.State> states) throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] counts = new long[threads];
        long[] cpu = new long[threads];
        CountDownLatch start = new CountDownLatch(1);
        AtomicIntegerArray working = new AtomicIntegerArray(threads); // 1 while a thread is in its CPU-bound part
        AtomicIntegerArray seen = new AtomicIntegerArray(threads);    // 1 once the sampler caught it working
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            ts.add(Thread.ofPlatform().name("cpu-" + t).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long c0 = mx.getCurrentThreadCpuTime();
                working.set(me, 1);
                long found = 0;
                for (int x = me; x < work; x += threads) if (isPrime(x)) found++; // interleaved: equal shares
                // Stay in the CPU-bound part (spinning, never parking) until the sampler has looked at us once.
                long deadline = System.nanoTime() + ProcessesDemo.STEP_LIMIT.toNanos();
                while (seen.get(me) == 0 && System.nanoTime() - deadline < 0) Thread.onSpinWait();
                working.set(me, 0);
                counts[me] = found;
                cpu[me] = mx.getCurrentThreadCpuTime() - c0;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        while (ts.stream().anyMatch(Thread::isAlive)) {
            for (int t = 0; t < threads; t++) {
                if (working.get(t) == 0) continue;
                Thread.State s = ts.get(t).getState();
                if (working.get(t) == 1) { // still working after the read: the state is one seen while working
                    states.add(s);
                    seen.set(t, 1);
                }
            }
            LockSupport.parkNanos(SAMPLE_PERIOD_NANOS);
        }
        long wall = System.nanoTime() - t0;
        long total = 0, cpuTotal = 0;
        for (int t = 0; t < threads; t++) {
            total += counts[t];
            cpuTotal += cpu[t];
        }
        return new Run(threads, total, wall, cpuTotal);
    }

    static boolean isPrime(int x) {
        if (x < 2) return false;
        for (int d = 2; (long) d * d <= x; d++) if (x % d == 0) return false;
        return true;
    }
}
