package dev.polyserve.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Lesson: queues. Part one is the course's {@code Queue(maxsize)}: blocking and non-blocking put and get,
 * timeouts, what "full" and "empty" look like ({@link ArrayBlockingQueue}). Part two is {@code JoinableQueue}:
 * several producers and consumers, {@code task_done}/{@code join} to know when all work is finished, and a clean
 * stop by closing the queue rather than by poison pills ({@link JoinableQueue}).
 */
final class QueueDemo {
    static final int CAPACITY = 3;
    static final Duration SHORT_WAIT = Duration.ofMillis(100);
    static final int PRODUCERS = 3;
    static final int CONSUMERS = 2;
    static final int ITEMS_PER_PRODUCER = 20;

    record Result(boolean offerRefusedWhenFull, boolean timedPutRefusedWhenFull, boolean pollEmptyWhenEmpty,
                  boolean timedGetEmptyWhenEmpty, List<Integer> produced, List<Integer> consumed,
                  boolean joinReturnedAfterAllDone, boolean consumersStopped) {
        boolean lessonHeld() {
            return offerRefusedWhenFull && timedPutRefusedWhenFull && pollEmptyWhenEmpty && timedGetEmptyWhenEmpty
                    && consumed.size() == produced.size() && consumed.stream().sorted().toList().equals(produced.stream().sorted().toList())
                    && joinReturnedAfterAllDone && consumersStopped;
        }
    }

    private QueueDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) throws Exception {
        // Part 1: a bounded queue.
        BlockingQueue<String> q = new ArrayBlockingQueue<>(CAPACITY);
        for (int i = 1; i <= CAPACITY; i++) q.put("item " + i);
        out.println("Queue(maxsize=" + CAPACITY + "): put " + CAPACITY + " items; it is full.");
        boolean offerRefused = !q.offer("one more");
        out.println("put_nowait on a full queue: refused (Python raises queue.Full): " + offerRefused);
        boolean timedRefused = !q.offer("one more", SHORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        out.println("put(timeout=" + SHORT_WAIT.toMillis() + " ms) on a full queue: gave up: " + timedRefused);
        while (!q.isEmpty()) out.println("get -> " + q.take());
        boolean pollEmpty = q.poll() == null;
        out.println("get_nowait on an empty queue: nothing (Python raises queue.Empty): " + pollEmpty);
        boolean timedEmpty = q.poll(SHORT_WAIT.toMillis(), TimeUnit.MILLISECONDS) == null;
        out.println("get(timeout=" + SHORT_WAIT.toMillis() + " ms) on an empty queue: gave up: " + timedEmpty);

        // Part 2: a joinable queue, several producers and consumers, a clean stop.
        JoinableQueue<Integer> jobs = new JoinableQueue<>(CAPACITY);
        List<Integer> produced = new ArrayList<>();
        ConcurrentLinkedQueue<Integer> consumed = new ConcurrentLinkedQueue<>();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int base = p * 1000;
            for (int i = 0; i < ITEMS_PER_PRODUCER; i++) produced.add(base + i);
            producers.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                try {
                    for (int i = 0; i < ITEMS_PER_PRODUCER; i++) jobs.put(base + i); // blocks while full: back-pressure
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < CONSUMERS; c++) {
            consumers.add(Thread.ofPlatform().name("consumer-" + c).start(() -> {
                try {
                    for (var job = jobs.take(); job.isPresent(); job = jobs.take()) {
                        consumed.add(job.get());
                        jobs.taskDone(); // after the work, not after the take
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : producers) t.join();
        boolean joined = jobs.join(ProcessesDemo.STEP_LIMIT);
        out.println(PRODUCERS + " producers put " + produced.size() + " jobs through a queue of " + CAPACITY
                + "; join() returned once all " + consumed.size() + " were marked done: " + joined);
        jobs.close(); // no poison pills: consumers drain, then take() returns empty
        for (Thread t : consumers) t.join(ProcessesDemo.STEP_LIMIT.toMillis());
        boolean stopped = consumers.stream().noneMatch(Thread::isAlive);
        out.println("closed the queue; all " + CONSUMERS + " consumers stopped: " + stopped);

        Result r = new Result(offerRefused, timedRefused, pollEmpty, timedEmpty, produced, List.copyOf(consumed), joined, stopped);
        out.println("verdict: " + (r.lessonHeld()
                ? "a bounded queue refuses when full and answers empty when empty; every job was consumed exactly once and the stop was clean"
                : "UNEXPECTED: " + r));
        return r;
    }
}
