package dev.polyserve.process;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child's side of a {@code process}-model connection: the peer's bytes arrive on stdin and the handler's
 * bytes leave on stdout (the master pumps both to and from the socket). Three threads: a reader (blocking reads
 * of stdin), a writer (blocking writes of stdout, so {@link #write} never blocks), and the connection's own loop,
 * which runs every handler call and scheduled task, one at a time.
 */
final class StdioConnection implements Conn {
    private static final Logger log = LoggerFactory.getLogger(StdioConnection.class);

    /** Read size: a Linux pipe holds 64 KiB, so one read can take all the master has written. */
    private static final int READ_BUFFER = 64 * 1024;
    /** Queue marker: everything before it is flushed, then stdout is closed. */
    private static final Object CLOSE_AFTER_FLUSH = new Object();

    private record FileSlice(FileChannel file, long position, long count) {}

    private final Handler handler;
    private final InputStream in;
    private final WritableByteChannel out;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final long writeQueueLimit;
    private final Duration idleTimeout;
    private final ScheduledThreadPoolExecutor loop;
    private final Executor executor;
    private final LinkedBlockingQueue<Object> writes = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Object readGate = new Object();
    private boolean paused;   // guarded by readGate
    private volatile long lastActivityNanos = System.nanoTime();

    StdioConnection(Handler handler, InputStream in, WritableByteChannel out, InetSocketAddress remote,
                    InetSocketAddress local, long writeQueueLimit, Duration idleTimeout) {
        this.handler = handler;
        this.in = in;
        this.out = out;
        this.remote = remote;
        this.local = local;
        this.writeQueueLimit = writeQueueLimit;
        this.idleTimeout = idleTimeout;
        this.loop = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name("polyserve-process-conn").daemon().unstarted(r));
        this.loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.loop.setRemoveOnCancelPolicy(true);
        this.executor = task -> {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException closed) {
                log.debug("task dropped: the connection is closed");
            }
        };
    }

    /** The process's own stdin and stdout; call before anything else touches {@link System#out}. */
    static StdioConnection overStandardStreams(Handler handler, InetSocketAddress remote, InetSocketAddress local,
                                               long writeQueueLimit, Duration idleTimeout) {
        FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        // From now on stdout carries the connection's bytes only. Anything else printed (a CLI's "listening on"
        // line) is dropped: on stderr it would repeat once per connection in the master's log.
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        return new StdioConnection(handler, new FileInputStream(FileDescriptor.in), stdout.getChannel(), remote,
                local, writeQueueLimit, idleTimeout);
    }

    /** Starts serving; the returned future completes after {@link Handler#onClose}. */
    CompletableFuture<Void> start() {
        // The idle check first: once the threads run, the connection may finish (and the loop stop) at any time.
        if (!idleTimeout.isZero()) {
            long period = Math.max(1, idleTimeout.toMillis() / 4);
            loop.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
        }
        executor.execute(() -> handler.onOpen(this));
        Thread.ofPlatform().name("polyserve-process-stdin").daemon().start(this::readLoop);
        Thread.ofPlatform().name("polyserve-process-stdout").daemon().start(this::writeLoop);
        return done;
    }

    private void checkIdle() {
        if (closing.get()) return;
        if (System.nanoTime() - lastActivityNanos >= idleTimeout.toNanos()) {
            lastActivityNanos = System.nanoTime();  // one onIdle per idle period, not one per check
            handler.onIdle(this);
        }
    }

    private void readLoop() {
        byte[] buf = new byte[READ_BUFFER];
        try {
            while (!closing.get()) {
                synchronized (readGate) {
                    while (paused && !closing.get()) readGate.wait();
                }
                int n = in.read(buf);
                if (n < 0) {
                    runOnLoop(() -> { if (!closing.get()) handler.onReadEnd(this); });
                    return;
                }
                lastActivityNanos = System.nanoTime();
                ByteBuffer data = ByteBuffer.wrap(buf, 0, n);
                // Wait for the handler: the buffer is valid during the call only, and this is the back-pressure.
                runOnLoop(() -> { if (!closing.get()) handler.onRead(this, data); });
            }
        } catch (IOException e) {
            if (!closing.get()) finish(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code task} on the loop and waits for it. */
    private void runOnLoop(Runnable task) throws InterruptedException {
        try {
            loop.submit(task).get();
        } catch (RejectedExecutionException closed) {
            // The connection finished meanwhile.
        } catch (ExecutionException e) {
            log.warn("handler failed; closing the connection", e.getCause());
            abortWith(e.getCause());
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                Object item = writes.take();
                if (item == CLOSE_AFTER_FLUSH) break;
                if (item instanceof ByteBuffer b) {
                    int n = b.remaining();
                    while (b.hasRemaining()) out.write(b);
                    queued.addAndGet(-n);
                } else if (item instanceof FileSlice f) {
                    try (FileChannel file = f.file()) {
                        long pos = f.position(), end = f.position() + f.count();
                        while (pos < end) {
                            long n = file.transferTo(pos, end - pos, out);
                            if (n <= 0 && pos >= file.size()) break;   // the file shrank: send what there is
                            pos += n;
                        }
                    }
                }
                lastActivityNanos = System.nanoTime();
                if (writes.isEmpty() && !closing.get()) executor.execute(() -> handler.onDrained(this));
            }
            out.close();
            finish(null);
        } catch (IOException e) {
            // The master closed our stdout: the peer is gone.
            finish(closing.get() ? null : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void write(ByteBuffer buf) {
        if (closing.get()) return;
        long total = queued.addAndGet(buf.remaining());
        if (total > writeQueueLimit) {
            log.warn("{}: {} bytes queued, more than the write queue limit {}: the peer does not read; aborting",
                    remote, total, writeQueueLimit);
            abort();
            return;
        }
        writes.add(buf);
    }

    @Override
    public void sendFile(FileChannel file, long position, long count) {
        if (closing.get()) {
            try {
                file.close();
            } catch (IOException ignored) {
                // Nothing to send it to.
            }
            return;
        }
        writes.add(new FileSlice(file, position, count));
    }

    @Override
    public long queuedBytes() {
        return queued.get();
    }

    /**
     * Not watched here: this child writes to a pipe, and the pipe's reader is the parent, which relays to the
     * peer; a peer that stops reading fills the parent's side and this write queue's limit ends it.
     */
    @Override
    public void requireSendRate(dev.polyserve.core.MinimumRate rate) {}

    @Override
    public void pauseReading() {
        synchronized (readGate) {
            paused = true;
        }
    }

    @Override
    public void resumeReading() {
        synchronized (readGate) {
            paused = false;
            readGate.notifyAll();
        }
    }

    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            writes.add(CLOSE_AFTER_FLUSH);
            resumeReading();
        }
    }

    @Override
    public void abort() {
        abortWith(null);
    }

    private void abortWith(Throwable cause) {
        closing.set(true);
        writes.clear();
        writes.add(CLOSE_AFTER_FLUSH);   // wakes the writer if it waits for work: nothing is left to flush
        queued.set(0);
        try {
            out.close();   // the writer's next write fails; the master sees EOF and closes the socket
        } catch (IOException ignored) {
            // Closed either way.
        }
        finish(cause);
    }

    /** Once: onClose on the loop, then the loop stops and {@link #start}'s future completes. */
    private void finish(Throwable cause) {
        if (!finished.compareAndSet(false, true)) return;
        closing.set(true);
        resumeReading();
        try {
            loop.execute(() -> {
                try {
                    handler.onClose(this, cause);
                } finally {
                    loop.shutdown();
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
    }

    /** Graceful stop asked (SIGTERM): the handler decides how to finish. */
    void shutdown() {
        executor.execute(() -> { if (!closing.get()) handler.onShutdown(this); });
    }

    @Override
    public boolean isOpen() {
        return !closing.get();
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        try {
            return loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return NeverRuns.INSTANCE;   // closed connections run nothing, as if cancelled at once
        }
    }

    /** The future of a task scheduled on a closed connection. */
    private static final class NeverRuns implements ScheduledFuture<Object> {
        static final NeverRuns INSTANCE = new NeverRuns();

        @Override public long getDelay(TimeUnit unit) { return 0; }
        @Override public int compareTo(java.util.concurrent.Delayed o) { return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS)); }
        @Override public boolean cancel(boolean mayInterrupt) { return false; }
        @Override public boolean isCancelled() { return true; }
        @Override public boolean isDone() { return true; }
        @Override public Object get() { throw new java.util.concurrent.CancellationException("connection closed"); }
        @Override public Object get(long timeout, TimeUnit unit) { return get(); }
    }

    @Override
    public SocketAddress remote() {
        return remote;
    }

    @Override
    public SocketAddress local() {
        return local;
    }

    @Override
    public String model() {
        return "process";
    }
}
