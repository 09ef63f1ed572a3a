package dev.polyserve.examples;

import java.util.List;
import java.util.Optional;

/**
 * Every lesson, in the order the course teaches them: what {@code polyserve demo --list} prints and what
 * {@code polyserve demo NAME} runs.
 */
public final class Demos {
    private static final List<Demo> ALL = List.of(
            new Demo("processes", "start, join with timeout, terminate child processes; daemons; orphans and zombies (fork, Process)",
                    ProcessesDemo::main),
            new Demo("pool", "a pool of worker processes and a pool of threads with callbacks; start-up cost of 100 of each (Pool)",
                    PoolDemo::main),
            new Demo("pipe", "a duplex pipe between two processes (Pipe)", PipeDemo::main),
            new Demo("queue", "a bounded queue (full, empty, timeouts) and a joinable producer-consumer queue with a clean stop (Queue, JoinableQueue)",
                    QueueDemo::main),
            new Demo("shared-memory", "a counter and an array shared by processes (Value, Array)", SharedMemoryDemo::main),
            new Demo("tickets", "buyer processes sell a shared stock: exact with a process lock, oversold with --no-lock (Lock)",
                    TicketsDemo::main),
            new Demo("semaphore", "20 threads, 5 slots: never more than 5 inside (Semaphore)", SemaphoreDemo::main),
            new Demo("event", "the traffic light: cars wait on an event the light sets (Event)", EventDemo::main),
            new Demo("deadlock", "two locks in opposite order deadlock; detection, two fixes, and a re-entrant lock (Lock, RLock)",
                    DeadlockDemo::main),
            new Demo("gil", "CPU-bound work on 1, 2 and N threads: no GIL on the JVM (GIL)", GilDemo::main),
            new Demo("models", "the echo service under every server model available here, with connect+echo times (select, epoll, gevent, asyncio)",
                    ModelsDemo::main));

    private Demos() {}

    /** All demos, in teaching order. */
    public static List<Demo> all() {
        return ALL;
    }

    /** The demo called {@code name}, if there is one. */
    public static Optional<Demo> find(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /**
     * Runs one demo without the CLI: {@code java -cp ... dev.polyserve.examples.Demos NAME [ARGS]}, or lists them
     * with no arguments. Exit status 0 when the lesson held.
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            all().forEach(d -> System.out.printf("%-14s %s%n", d.name(), d.description()));
            return;
        }
        Optional<Demo> demo = find(args[0]);
        if (demo.isEmpty()) {
            System.err.println("no demo called '" + args[0] + "'; demos: " + String.join(", ", names()));
            System.exit(2);
        }
        System.exit(demo.get().run(System.out, List.of(args).subList(1, args.length)));
    }

    /** Names, for error messages. */
    public static List<String> names() {
        return ALL.stream().map(Demo::name).toList();
    }
}
