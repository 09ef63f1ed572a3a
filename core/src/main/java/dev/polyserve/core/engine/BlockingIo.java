package dev.polyserve.core.engine;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread work of a connection served with blocking I/O (a blocking engine's socket, the process model's
 * stdin/stdout): its reader waits while the handler paused reading, and a writer thread of its own, started at the
 * first output, flushes the write queue with blocking writes, so {@code write} never blocks the caller and a peer
 * that does not read stalls only that writer. The connection forwards its transport callbacks here.
 */
public final class BlockingIo {
    private final ConnBase conn;
    private final ConnBase.Sink sink;
    private final Thread.Builder writers;
    private final Object pauseMonitor = new Object();
    private final AtomicBoolean writerStarted = new AtomicBoolean();
    private final AtomicBoolean writeSignal = new AtomicBoolean();
    private volatile Thread writer;

    /** @param writers makes the writer thread (of the same kind as the reader: see {@link BlockingConn}) */
    public BlockingIo(ConnBase conn, ConnBase.Sink sink, Thread.Builder writers) {
        this.conn = conn;
        this.sink = sink;
        this.writers = writers;
    }

    /** The reader's thread, before each read: waits while reading is paused and the connection open. */
    public void awaitReadingAllowed() {
        synchronized (pauseMonitor) {
            while (conn.readingPaused() && conn.isOpen()) {
                try {
                    pauseMonitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** From {@link ConnBase#readInterestChanged}: wakes a reader that waits. */
    public void readInterestChanged() {
        synchronized (pauseMonitor) {
            pauseMonitor.notifyAll();
        }
    }

    /** From {@link ConnBase#outboundReady}: starts the writer at the first output, else wakes it. */
    public void outboundReady() {
        writeSignal.set(true);
        if (writerStarted.compareAndSet(false, true)) {
            try {
                writer = writers.start(this::writeLoop);
            } catch (OutOfMemoryError noThread) {
                conn.ctx.shortage("writer threads", "aborting connection from {}: cannot start its writer thread: {}",
                        conn.remote(), noThread.getMessage());
                conn.abort(new IOException("cannot start a writer thread: " + noThread.getMessage(), noThread));
            }
        } else {
            Thread w = writer;
            if (w != null) LockSupport.unpark(w);
        }
    }

    /** From {@link ConnBase#closeTransport}, once the transport is closed: the reader and writer see it and end. */
    public void closed() {
        readInterestChanged();
        Thread w = writer;
        if (w != null) LockSupport.unpark(w);
    }

    private void writeLoop() {
        while (!conn.isClosed()) {
            writeSignal.set(false);
            try {
                conn.flush(sink);
            } catch (IOException e) {
                conn.abort(e);
                return;
            }
            if (!writeSignal.get() && !conn.isClosed()) LockSupport.park(this);
        }
    }
}
