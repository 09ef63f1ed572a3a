package dev.polyserve.examples;

import dev.polyserve.process.ipc.ChildJvm;
import dev.polyserve.process.ipc.MessageChannel;
import dev.polyserve.process.ipc.MessageListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

/**
 * A pool of worker JVMs: the course's {@code multiprocessing.Pool}. Work is a function name and a number (code
 * cannot be shipped to another JVM the way Python pickles a function reference, so workers know a fixed table
 * of {@link #FUNCTIONS}). Each worker is connected by a {@link MessageChannel}; one virtual thread per worker
 * takes the next task from a shared queue, sends it and completes the caller's future with the answer.
 */
final class ProcessPool implements AutoCloseable {
    /** What workers can compute. */
    static final Map<String, LongUnaryOperator> FUNCTIONS = Map.of(
            "square", x -> x * x,
            "collatz-steps", ProcessPool::collatzSteps);

    /** How long workers may take to start and connect (cold JVMs on a loaded machine). */
    static final Duration START_LIMIT = Duration.ofSeconds(60);

    /** An answer and the worker process that computed it. */
    record Answer(long value, long workerPid) {}

    private record Task(String function, long argument, CompletableFuture<Answer> result) {}

    private final Path dir;
    private final MessageListener listener;
    private final List<Process> workers = new ArrayList<>();
    private final List<Thread> dispatchers = new ArrayList<>();
    private final JoinableQueue<Task> tasks;

    ProcessPool(int size) throws IOException, InterruptedException {
        dir = Files.createTempDirectory("polyserve-pool");
        listener = MessageListener.bind(dir.resolve("pool.sock"));
        tasks = new JoinableQueue<>(size * 4);
        try (var acceptor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < size; i++) workers.add(ChildJvm.start(Worker.class, listener.path().toString()));
            for (int i = 0; i < size; i++) {
                MessageChannel ch = acceptor.submit(listener::accept).get(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                dispatchers.add(Thread.ofVirtual().name("pool-dispatch-" + i).start(() -> dispatch(ch)));
            }
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new IOException("pool workers did not connect within " + START_LIMIT, e);
        }
    }

    /** Process ids of the workers. */
    List<Long> pids() {
        return workers.stream().map(Process::pid).toList();
    }

    /** Queues {@code function(argument)}; the future completes (on a pool thread) with the answer. */
    CompletableFuture<Answer> submit(String function, long argument) throws InterruptedException {
        if (!FUNCTIONS.containsKey(function)) throw new IllegalArgumentException("unknown function " + function);
        CompletableFuture<Answer> f = new CompletableFuture<>();
        tasks.put(new Task(function, argument, f));
        return f;
    }

    private void dispatch(MessageChannel ch) {
        try (ch) {
            for (Optional<Task> t = tasks.take(); t.isPresent(); t = tasks.take()) {
                Task task = t.get();
                try {
                    ch.send(task.function() + " " + task.argument());
                    String[] reply = ch.receiveText().orElseThrow(() -> new IOException("worker hung up")).split(" ");
                    task.result().complete(new Answer(Long.parseLong(reply[0]), Long.parseLong(reply[1])));
                } catch (IOException e) {
                    task.result().completeExceptionally(e);
                    return; // this worker is gone; the other workers' dispatchers take the remaining tasks
                } catch (RuntimeException e) {
                    task.result().completeExceptionally(e);
                } finally {
                    tasks.taskDone();
                }
            }
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Pool.close() + Pool.join(): lets queued tasks finish, hangs up on every worker (a worker exits when its
     * channel closes) and waits for the processes to end.
     */
    @Override
    public void close() throws IOException {
        tasks.close();
        try {
            for (Thread d : dispatchers) d.join(START_LIMIT.toMillis());
            for (Process w : workers) {
                if (!w.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) w.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            workers.forEach(Process::destroyForcibly); // asked to stop now: no orphaned workers
            Thread.currentThread().interrupt();
        }
        listener.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static long collatzSteps(long n) {
        long steps = 0;
        for (long x = n; x > 1; x = (x & 1) == 0 ? x / 2 : 3 * x + 1) steps++;
        return steps;
    }

    /** A worker JVM: answers "function argument" with "result pid" until the pool hangs up. */
    public static final class Worker {
        public static void main(String[] args) throws IOException {
            long pid = ProcessHandle.current().pid();
            try (MessageChannel ch = MessageChannel.connect(Path.of(args[0]))) {
                for (Optional<String> m = ch.receiveText(); m.isPresent(); m = ch.receiveText()) {
                    String[] call = m.get().split(" ");
                    long result = FUNCTIONS.get(call[0]).applyAsLong(Long.parseLong(call[1]));
                    ch.send(result + " " + pid);
                }
            }
        }
    }
}
