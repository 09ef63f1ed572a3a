package dev.polyserve.core.engine;

import dev.polyserve.core.Handler;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection served with blocking I/O by threads of its own (a blocking engine's socket, the process model's
 * stdin/stdout): its reader waits while the handler paused reading, and a writer thread, started at the first
 * output, flushes the write queue with blocking writes, so {@code write} never blocks the caller and a peer that
 * does not read stalls only that writer. Subclasses read, write the {@link ConnBase.Sink} and close the transport.
 *
 * <p>A platform writer, once started, parks between bursts (starting one costs tens of microseconds). A virtual
 * writer ends as soon as the queue is empty and a new one starts at the next output: starting a virtual thread
 * costs about what waking a parked one does, and an idle connection then keeps no writer and its stack.
 */
public abstract class ThreadedConn extends ConnBase implements ConnBase.Sink {
    private final ThreadFactory writers;
    private final boolean writerEndsWhenIdle;
    private final Object pauseMonitor = new Object();
    /** A writer thread is running (a virtual writer) or was started (a platform writer, which then lives on). */
    private final AtomicBoolean writerStarted = new AtomicBoolean();
    private final AtomicBoolean writeSignal = new AtomicBoolean();
    private volatile Thread writer; // a platform writer, for unparking it

    /**
     * @param writers makes the writer thread (of the same kind as the reader: see {@link BlockingConn})
     * @param virtual whether {@code writers} makes virtual threads, which end whenever the queue is empty
     */
    protected ThreadedConn(EngineContext ctx, Handler handler, SocketAddress remote, SocketAddress local, ThreadFactory writers,
                           boolean virtual) {
        super(ctx, handler, remote, local);
        this.writers = writers;
        this.writerEndsWhenIdle = virtual;
    }

    /** The reader's thread, before each read: waits while reading is paused and the connection open. */
    protected final void awaitReadingAllowed() {
        synchronized (pauseMonitor) {
            while (readingPaused() && isOpen()) {
                try {
                    pauseMonitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    protected final void readInterestChanged() {
        synchronized (pauseMonitor) {
            pauseMonitor.notifyAll();
        }
    }

    /** Starts a writer unless one is running (or, for a platform writer, was started), else wakes it. */
    @Override
    protected final void outboundReady() {
        writeSignal.set(true);
        if (writerStarted.compareAndSet(false, true)) {
            try {
                Thread t = writers.newThread(writerEndsWhenIdle ? this::writeUntilEmpty : this::writeLoop);
                if (!writerEndsWhenIdle) writer = t;
                t.start();
            } catch (OutOfMemoryError noThread) {
                ctx.shortage("writer threads", "aborting connection from {}: cannot start its writer thread: {}",
                        remote(), noThread.getMessage());
                abort(new IOException("cannot start a writer thread: " + noThread.getMessage(), noThread));
            }
        } else {
            Thread w = writer;
            if (w != null) LockSupport.unpark(w);
        }
    }

    /** From {@link #closeTransport}, once the transport is closed: the reader and the writer see it and end. */
    protected final void wakeThreads() {
        readInterestChanged();
        Thread w = writer;
        if (w != null) LockSupport.unpark(w);
    }

    /**
     * A virtual writer: flushes until the queue is empty, then ends. An output queued after its flush took the
     * queue either started the next writer (it saw none running) or is seen here and flushed by this one.
     */
    private void writeUntilEmpty() {
        while (true) {
            writeSignal.set(false);
            try {
                flush(this);
            } catch (IOException e) {
                abort(e);
                return; // writerStarted stays set: a closed connection needs no writer again
            }
            writerStarted.set(false);
            if (isClosed() || !writeSignal.get() || !writerStarted.compareAndSet(false, true)) return;
        }
    }

    private void writeLoop() {
        while (!isClosed()) {
            writeSignal.set(false);
            try {
                flush(this);
            } catch (IOException e) {
                abort(e);
                return;
            }
            if (!writeSignal.get() && !isClosed()) LockSupport.park(this);
        }
    }
}
