package dev.polyserve.core.engine;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits for I/O readiness, handles it, runs queued tasks and flushes connections that wrote
 * during the round. Subclasses supply the waiting ({@link #poll}) and the way to interrupt it
 * ({@link #wakeup}); the selector, poll, epoll and busy-polling loops all share this shape.
 */
public abstract class EventLoop implements Executor {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    // Two lists swapped each round (not copied), so flushing allocates nothing per message.
    private ArrayList<Runnable> flushes = new ArrayList<>();
    private ArrayList<Runnable> flushesRunning = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    protected EventLoop(String name) {
        this.thread = new Thread(this::run, name);
    }

    public final void start() {
        thread.start();
    }

    /** True on this loop's own thread. */
    public final boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop, after the current round; wakes the loop if it is waiting. Any thread. */
    @Override
    public final void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            wakeup();
        }
    }

    /**
     * Asks for {@code flush} to run once, soon: at the end of this round when called on the loop (so a round's
     * writes leave together), else as a task. {@code scheduled} folds repeated requests into one until the
     * flush itself clears it. The write path of every loop connection. Any thread.
     */
    public final void scheduleFlush(AtomicBoolean scheduled, Runnable flush) {
        if (scheduled.compareAndSet(false, true)) {
            if (inLoop()) {
                flushLater(flush);
            } else {
                execute(flush);
            }
        }
    }

    /** Queues a flush for the end of this round, so writes made during a round leave in one system call. Loop only. */
    private void flushLater(Runnable flush) {
        flushes.add(flush);
    }

    /**
     * Waits for readiness and handles it. {@code block} is false when work is pending and the wait must not
     * block. Returns early when {@link #wakeup} is called.
     */
    protected abstract void poll(boolean block) throws Exception;

    /** Makes a blocked {@link #poll} return. Any thread. */
    protected abstract void wakeup();

    /**
     * Releases the loop's own resources (selector, descriptors) and aborts any connection still on it; called on
     * the loop thread as it ends, before the last queued tasks run.
     */
    protected abstract void closeResources();

    private void run() {
        try {
            while (running) {
                wakeupPending.set(false);
                boolean block = tasks.isEmpty() && flushes.isEmpty();
                try {
                    poll(block);
                } catch (Exception | LinkageError e) {
                    // LinkageError: a class first needed while the process is out of descriptors cannot be read;
                    // the loop's connections must outlive that.
                    log.error("{}: polling failed; continuing", thread.getName(), e);
                }
                runTasks();
                runFlushes();
            }
        } finally {
            closeResources();
            runTasks(); // the aborts closeResources queued
        }
    }

    private void runTasks() {
        for (Runnable r; (r = tasks.poll()) != null; ) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                log.error("{}: task failed", thread.getName(), e);
            }
        }
    }

    private void runFlushes() {
        while (!flushes.isEmpty()) {
            ArrayList<Runnable> due = flushes;
            flushes = flushesRunning;
            flushesRunning = due;
            for (int i = 0, n = due.size(); i < n; i++) {
                Runnable f = due.get(i);
                f.run();
            }
            flushesRunning.clear();
        }
    }

    /** Stops the loop after its current round and waits for its thread to end. */
    public final void stop(long timeout, TimeUnit unit) {
        running = false;
        wakeup();
        try {
            thread.join(unit.toMillis(timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
