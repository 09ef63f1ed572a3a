package dev.polyserve.core.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The serial context of a connection on a blocking engine: tasks run one at a time, in order, on short-lived
 * virtual threads, holding the same lock the connection's reader holds while it calls the handler. So handler
 * calls and tasks never overlap, which is the {@link dev.polyserve.core.Handler} threading contract.
 */
final class SerialExecutor implements Executor {
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Thread.Builder threads;

    SerialExecutor(String name) {
        this.threads = Thread.ofVirtual().name(name);
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (draining.compareAndSet(false, true)) {
            threads.start(this::drain);
        }
    }

    /** Runs {@code call} in the serial context from the connection's own reader thread. */
    void runLocked(Runnable call) {
        lock.lock();
        try {
            call.run();
        } finally {
            lock.unlock();
        }
    }

    private void drain() {
        while (true) {
            lock.lock();
            try {
                for (Runnable r; (r = tasks.poll()) != null; ) {
                    r.run();
                }
            } finally {
                lock.unlock();
            }
            draining.set(false);
            if (tasks.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
