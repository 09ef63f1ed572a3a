package dev.polyserve.core.engine;

import dev.polyserve.core.Handler;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection served with blocking I/O by threads of its own (a blocking engine's socket, the process model's
 * stdin/stdout): its reader waits while the handler paused reading, and a writer thread, started at the first
 * output, flushes the write queue with blocking writes, so {@code write} never blocks the caller and a peer that
 * does not read stalls only that writer. Subclasses read, write the {@link ConnBase.Sink} and close the transport.
 */
public abstract class ThreadedConn extends ConnBase implements ConnBase.Sink {
    private final Thread.Builder writers;
    private final Object pauseMonitor = new Object();
    private final AtomicBoolean writerStarted = new AtomicBoolean();
    private final AtomicBoolean writeSignal = new AtomicBoolean();
    private volatile Thread writer;

    /** @param writers makes the writer thread (of the same kind as the reader: see {@link BlockingConn}) */
    protected ThreadedConn(EngineContext ctx, Handler handler, SocketAddress remote, SocketAddress local, Thread.Builder writers) {
        super(ctx, handler, remote, local);
        this.writers = writers;
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

    /** Starts the writer at the first output, else wakes it. */
    @Override
    protected final void outboundReady() {
        writeSignal.set(true);
        if (writerStarted.compareAndSet(false, true)) {
            try {
                writer = writers.start(this::writeLoop);
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
