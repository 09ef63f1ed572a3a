package dev.polyserve.core.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The serial context of a connection on a blocking engine: tasks run one at a time, in order, on short-lived
 * virtual threads, holding the same lock the connection's reader holds while it calls the handler. So handler
 * calls and tasks never overlap, which is the {@link dev.polyserve.core.Handler} threading contract.
 *
 * <p>When no thread can be started (the process is at its thread limit, which can stop the virtual-thread
 * scheduler from making a carrier), the tasks run on the calling thread instead, or, when the caller is the
 * reader inside a handler call, right after that call: a connection being aborted for want of threads must
 * still close, or its reader would wait for the close forever and the shortage would never end.
 */
final class SerialExecutor implements Executor {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SerialExecutor.class);
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ThreadFactory threads;
    /** A drain no thread could run, left to the reader's current handler call (guarded by lock). */
    private boolean stranded;

    /** @param threads makes the short-lived virtual threads the tasks run on (one factory per engine, shared) */
    SerialExecutor(ThreadFactory threads) {
        this.threads = threads;
    }

    /**
     * How often the carrier keeper wakes: under the 30 s after which the virtual-thread scheduler retires an idle
     * carrier thread.
     */
    static final long CARRIER_KEEPER_TICK_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final AtomicBoolean prepared = new AtomicBoolean();

    /**
     * Makes virtual threads safe to rely on while the process is out of threads; called when a blocking engine
     * starts. Two traps otherwise: the virtual-thread class starts a platform thread of its own when first used,
     * and if that first use comes during a shortage, virtual threads stay unusable for the JVM's life; and the
     * scheduler retires its carrier threads after 30 s idle, and with none left and none creatable, a started
     * virtual thread can sit in its queue unrun. So: initialize now, and keep one carrier busy for a moment
     * every {@link #CARRIER_KEEPER_TICK_NANOS} (one tiny wake-up per process, nothing per connection).
     */
    static void prepare() {
        if (prepared.compareAndSet(false, true)) {
            Thread.ofVirtual().name("polyserve-carrier-keeper").start(() -> {
                while (true) LockSupport.parkNanos(CARRIER_KEEPER_TICK_NANOS);
            });
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (draining.compareAndSet(false, true)) {
            try {
                threads.newThread(this::drain).start();
            } catch (OutOfMemoryError noThread) {
                drainHere();
            }
        }
    }

    private void drainHere() {
        if (lock.isHeldByCurrentThread()) {
            stranded = true; // inside runLocked: tasks must not run nested in the handler call
        } else {
            drain();
        }
    }

    /** Runs {@code call} in the serial context from the connection's own reader thread. */
    void runLocked(Runnable call) {
        boolean wasStranded;
        lock.lock();
        try {
            call.run();
            wasStranded = stranded;
            stranded = false;
        } finally {
            lock.unlock();
        }
        if (wasStranded) drain(); // the flag is still set: nobody else will run them
    }

    private void runQueued() {
        for (Runnable r; (r = tasks.poll()) != null; ) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                // Handler calls are guarded by ConnBase; this is the last line, for what escapes even that (a log
                // line that could not be written while out of threads): the tasks behind it must still run, or
                // the connection never closes.
                lastResort(e);
            }
        }
    }

    private static void lastResort(Throwable e) {
        try {
            log.warn("a connection task failed: {}", e.toString());
        } catch (RuntimeException | Error alsoFailed) {
            // nothing left to tell it with
        }
    }

    private void drain() {
        while (true) {
            lock.lock();
            try {
                runQueued();
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
