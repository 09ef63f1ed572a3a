package dev.polyserve.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Lesson: pools. A pool of worker processes ({@link ProcessPool}, the course's {@code multiprocessing.Pool}) and
 * a pool of threads ({@link ExecutorService}), both used the same way: submit work, get a
 * {@link CompletableFuture}, attach a callback (the course's {@code apply_async(callback=...)}), close and join.
 * Then what a pool saves: the cost of starting 100 processes, 100 threads and 100 virtual threads.
 */
final class PoolDemo {
    static final int PROCESS_WORKERS = 2;
    static final int THREAD_WORKERS = 4;
    static final int TASKS = 10;
    /** How many of each to start in the start-up cost comparison (the course compares 100). */
    static final int STARTS = 100;

    record Result(Map<Long, Long> processAnswers, Set<Long> answeringPids, List<Long> workerPids,
                  int processCallbacks, boolean workersExited, Map<Long, Long> threadAnswers,
                  int threadCallbacks) {
        boolean lessonHeld() {
            boolean squares = processAnswers.size() == TASKS && threadAnswers.size() == TASKS
                    && processAnswers.entrySet().stream().allMatch(e -> e.getValue() == e.getKey() * e.getKey())
                    && threadAnswers.entrySet().stream().allMatch(e -> e.getValue() == e.getKey() * e.getKey());
            return squares && workerPids.containsAll(answeringPids) && !answeringPids.contains(ProcessHandle.current().pid())
                    && processCallbacks == TASKS && threadCallbacks == TASKS && workersExited;
        }
    }

    private PoolDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out, true).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out, boolean compareStartUp) throws Exception {
        // A process pool.
        var processAnswers = new ConcurrentHashMap<Long, Long>();
        var answeringPids = ConcurrentHashMap.<Long>newKeySet();
        long t0 = System.nanoTime();
        List<Long> workerPids;
        boolean exited;
        try (ProcessPool pool = new ProcessPool(PROCESS_WORKERS)) {
            workerPids = pool.pids();
            out.printf("Process pool: %d worker JVMs %s ready in %d ms.%n", PROCESS_WORKERS, workerPids, ms(t0));
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (long n = 1; n <= TASKS; n++) {
                long arg = n;
                done.add(pool.submit("square", n).thenAccept(a -> { // the callback runs when the answer arrives
                    processAnswers.put(arg, a.value());
                    answeringPids.add(a.workerPid());
                }));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
            out.println("  squares by worker process: " + new TreeMap<>(processAnswers) + " from pids " + answeringPids);
        } // close + join
        exited = workerPids.stream().allMatch(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        out.println("  pool closed and joined; every worker process has exited: " + exited);

        // A thread pool, same shape.
        var threadAnswers = new ConcurrentHashMap<Long, Long>();
        try (ExecutorService threads = Executors.newFixedThreadPool(THREAD_WORKERS)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (long n = 1; n <= TASKS; n++) {
                long arg = n;
                done.add(CompletableFuture.supplyAsync(() -> arg * arg, threads).thenAccept(v -> threadAnswers.put(arg, v)));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        } // close() waits for the pool's threads: the course's pool.close(); pool.join()
        out.println("Thread pool of " + THREAD_WORKERS + ": squares " + new TreeMap<>(threadAnswers));

        if (compareStartUp) compareStartUp(out);

        Result r = new Result(processAnswers, answeringPids, workerPids, processAnswers.size(), exited, threadAnswers, threadAnswers.size());
        out.println("verdict: " + (r.lessonHeld()
                ? "both pools ran every task with a callback and shut down cleanly; reuse them, because starting a worker costs far more than handing it a task"
                : "UNEXPECTED: " + r));
        return r;
    }

    /** Prints (never asserts) what starting {@link #STARTS} of each costs on this machine. */
    private static void compareStartUp(PrintStream out) throws Exception {
        long t = System.nanoTime();
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) ps.add(new ProcessBuilder("/bin/true").start());
        for (Process p : ps) p.waitFor();
        long processes = System.nanoTime() - t;

        t = System.nanoTime();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) ts.add(Thread.ofPlatform().start(() -> { }));
        for (Thread th : ts) th.join();
        long platform = System.nanoTime() - t;

        t = System.nanoTime();
        ts.clear();
        for (int i = 0; i < STARTS; i++) ts.add(Thread.ofVirtual().start(() -> { }));
        for (Thread th : ts) th.join();
        long virtual = System.nanoTime() - t;

        out.printf("Start and finish %d of each (this run, on this machine; a busy machine varies):%n", STARTS);
        out.printf("  processes (/bin/true): %8.2f ms  (%.0f us each)%n", processes / 1e6, processes / 1e3 / STARTS);
        out.printf("  platform threads:      %8.2f ms  (%.0f us each)%n", platform / 1e6, platform / 1e3 / STARTS);
        out.printf("  virtual threads:       %8.2f ms  (%.0f us each)%n", virtual / 1e6, virtual / 1e3 / STARTS);
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
