package dev.polyserve.core.engine;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.LogLimiter;
import dev.polyserve.core.MinimumRate;
import dev.polyserve.core.WriteQueueFullException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every engine's connection shares: the bounded write queue, close/abort state, idle timeout, timers, and
 * the rules for calling the {@link Handler}. An engine supplies the transport: {@link #executor()} (the
 * connection's serial context), {@link #outboundReady()} (make the flusher run) and {@link #closeTransport}.
 *
 * <p>Contract for engines: call {@code fire*} methods only from the connection's serial context; call
 * {@link #flush} only from one flusher at a time (the loop thread, or the connection's writer thread).
 */
public abstract class ConnBase implements Conn {
    private static final Logger log = LoggerFactory.getLogger(ConnBase.class);
    /** Slow-reader aborts: a few lines per peer address a minute, so a slow-read flood cannot fill the log. */
    private static final LogLimiter slowReaders = new LogLimiter(log, Duration.ofMinutes(1), 3);

    /** Buffers gathered into one vectored write; Linux allows 1024 (IOV_MAX), 64 covers any burst we see. */
    public static final int MAX_GATHER = 64;

    private static final int OPEN = 0;
    private static final int CLOSING = 1; // close() asked: flush, then close
    private static final int CLOSED = 2;

    protected final EngineContext ctx;
    protected final Handler handler;
    private final SocketAddress remote;
    private final SocketAddress local;

    // Issue #18: an idle connection's every object counts by the ten thousand. So the counters and the state are
    // plain fields updated through VarHandles (an AtomicLong and an AtomicInteger each cost an object), the flush
    // lock is the private deque it guards, and the timer set is made by the first timer (an idle connection with
    // no idle timeout has none).
    private static final VarHandle QUEUED;
    private static final VarHandle STATE;
    private static final VarHandle TIMERS;
    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            QUEUED = lookup.findVarHandle(ConnBase.class, "queued", long.class);
            STATE = lookup.findVarHandle(ConnBase.class, "state", int.class);
            TIMERS = lookup.findVarHandle(ConnBase.class, "timers", Set.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentLinkedQueue<Object> outbound = new ConcurrentLinkedQueue<>();
    // Both start small and grow with use (issue #18: idle connections by the ten thousand each paid for 16 deque
    // slots and a 64-entry gather array they never used): an echo's write is one buffer.
    private final ArrayDeque<Object> flushing = new ArrayDeque<>(1); // also the flush lock; guarded by itself
    private ByteBuffer[] gather = NO_BUFFERS;                        // guarded by flushing
    private static final ByteBuffer[] NO_BUFFERS = {};
    private volatile long queued;                    // updated through QUEUED
    private volatile int state = OPEN;               // updated through STATE
    private volatile Set<ScheduledFuture<?>> timers; // made by timers(), through TIMERS
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile boolean backlogged;
    private volatile boolean readingPaused;

    // The send-rate watch (requireSendRate): sent counts bytes the kernel took; flusher writes it, anyone reads.
    private volatile Watch sendWatch;
    private volatile long sent;
    /** A flush is inside the sink: on a blocking engine that is where a slow reader keeps the writer waiting. */
    private volatile boolean draining;
    /**
     * Closing, everything handed to the kernel and the output shut down (FIN queued), but the kernel still held some
     * of it unacknowledged: the descriptor is kept so that the send-rate watch can judge the peer (see
     * {@link #flush}); closed once the peer has acknowledged it all, aborted if it takes too little.
     */
    private volatile boolean awaitingAck;

    protected ConnBase(EngineContext ctx, Handler handler, SocketAddress remote, SocketAddress local) {
        this.ctx = ctx;
        this.handler = handler;
        this.remote = remote;
        this.local = local;
    }

    /** A file region queued by {@link #sendFile}; its position and count advance as it is sent. */
    private static final class FileSegment {
        final FileChannel file;
        long position;
        long remaining;

        FileSegment(FileChannel file, long position, long remaining) {
            this.file = file;
            this.position = position;
            this.remaining = remaining;
        }
    }

    /** Where {@link #flush} writes: the engine's socket in its own I/O style. */
    public interface Sink {
        /** Writes from {@code bufs[0..count)}; returns bytes taken, 0 if the kernel would block. */
        long write(ByteBuffer[] bufs, int count) throws IOException;

        /** Sends file bytes; returns bytes taken, 0 if the kernel would block. */
        long transfer(FileChannel file, long position, long count) throws IOException;

        /**
         * Called after a {@link #transfer} took some of a file's bytes and more remain: whether that transfer filled
         * the socket (it took fewer bytes than it offered the kernel), so that the flusher stops there and the engine
         * runs it again once the socket can take more, instead of asking once more only to be told 0 and checking the
         * file's size (two system calls per wake-up of a large download, issue #15). Only a sink whose engine runs
         * the flusher again on writability may answer true; an edge-triggered one only when the kernel will report
         * that writability, i.e. the socket is full rather than the file ended early.
         *
         * @param file the file being sent
         * @param next the file position after that transfer
         */
        default boolean transferFilledSocket(FileChannel file, long next) throws IOException {
            return false; // a blocking sink: its flusher does not wait for writability, so it transfers again
        }
    }

    // ---- what the engine supplies

    /** Make the flusher run soon (the loop, or the writer thread). Called after output was queued. Any thread. */
    protected abstract void outboundReady();

    /** Close the socket now; with {@code reset}, send a TCP reset. Called once, from the serial context or flusher. */
    protected abstract void closeTransport(boolean reset);

    /** Reading was paused or resumed (see {@link #readingPaused()}). Any thread. */
    protected abstract void readInterestChanged();

    /** After the handler's {@code onClose}, in the serial context: a connection that owns its threads stops them. */
    protected void afterClose() {}

    /**
     * Shuts the socket's output down (a FIN after the bytes the kernel holds), keeping the descriptor open; false if
     * the engine cannot, or could not now. Called from the flusher, once, when a closing connection's queue is empty
     * and the kernel still holds some of it unacknowledged ({@link #unacknowledgedBytes}), so only engines that
     * answer that need it.
     */
    protected boolean shutdownOutput() {
        return false;
    }

    // ---- Conn

    @Override
    public final void write(ByteBuffer out) {
        int n = out.remaining();
        if (n == 0 || state != OPEN) {
            return;
        }
        long q = (long) QUEUED.getAndAdd(this, n) + n;
        long limit = ctx.config().writeQueueLimit();
        if (q > limit) {
            WriteQueueFullException cause = new WriteQueueFullException(q, limit);
            log.warn("aborting connection from {}: {}", remote, cause.getMessage());
            abort(cause);
            return;
        }
        if (inFlusher() && outbound.isEmpty()) {
            // The flusher's own thread, nothing from other threads waiting: append in order without the
            // concurrent queue's per-item node, so a loop engine's echo path allocates nothing here.
            synchronized (flushing) {
                flushing.addLast(out);
            }
        } else {
            outbound.add(out);
        }
        outboundReady();
    }

    /**
     * True when the caller is the thread that runs {@link #flush} (an event loop's own thread). Engines that can
     * tell override it; the default is always correct, just slower.
     */
    protected boolean inFlusher() {
        return false;
    }

    @Override
    public final void sendFile(FileChannel file, long position, long count) {
        if (state != OPEN) {
            closeQuietly(file);
            return;
        }
        outbound.add(new FileSegment(file, position, count));
        outboundReady();
    }

    @Override
    public final long queuedBytes() {
        return queued;
    }

    @Override
    public final void requireSendRate(MinimumRate rate) {
        // Each call starts its own chain of checks; a chain whose watch was replaced (or removed) just stops.
        Watch w = rate == null ? null : new Watch(rate);
        sendWatch = w;
        if (w != null) scheduleSendCheck(w);
    }

    /** The send-rate watch in force, or null; engines whose writes block slice them by it (see {@link #flush}). */
    protected final MinimumRate sendRate() {
        Watch w = sendWatch;
        return w == null ? null : w.rate;
    }

    /**
     * Checks per send-rate window. Each check looks back one whole window, so a peer that stops taking output is
     * aborted between one window and 1 + 1/4 windows after its output began to wait (checking once a window, as
     * before, took up to two: output that began to wait just after a check was judged only at the second one).
     */
    static final int SEND_CHECKS_PER_WINDOW = 4;

    /**
     * One requireSendRate call's checks: the peer's progress at the last {@link #SEND_CHECKS_PER_WINDOW} + 1 checks
     * in a ring, and how many checks in a row saw output waiting. Timer thread only, apart from {@code rate}.
     */
    private static final class Watch {
        final MinimumRate rate;
        final long[] taken = new long[SEND_CHECKS_PER_WINDOW + 1];
        int checks;         // checks made, the ring's next slot is checks % taken.length
        int waitingInARow;  // the last checks that saw output waiting, up to taken.length
        long sentAtLastCheck = -1;
        boolean kernelHeldSome;

        Watch(MinimumRate rate) {
            this.rate = rate;
        }
    }

    /**
     * {@inheritDoc} The send-rate watch counts only acknowledged bytes as taken and output the kernel still holds
     * as waiting, so a response that fits in the socket's send buffer (autotuned up to megabytes) is judged too.
     * Called from the timer thread, possibly just as the connection closes: an engine answers -1 for a descriptor
     * it closed. The JDK engines have no portable way to ask and keep this default; they judge only the output
     * waiting in the process.
     */
    @Override
    public long unacknowledgedBytes() {
        return -1;
    }

    /** The connection's pending timers, the set made on first use. Any thread. */
    private Set<ScheduledFuture<?>> timers() {
        Set<ScheduledFuture<?>> set = timers;
        if (set == null) {
            Set<ScheduledFuture<?>> made = ConcurrentHashMap.newKeySet();
            @SuppressWarnings("unchecked")
            Set<ScheduledFuture<?>> won = (Set<ScheduledFuture<?>>) TIMERS.compareAndExchange(this, null, made);
            set = won == null ? made : won;
        }
        return set;
    }

    private void scheduleSendCheck(Watch w) {
        timers().removeIf(ScheduledFuture::isDone);
        try {
            timers().add(ctx.timer().schedule(() -> checkSendRate(w), w.rate.window().toNanos() / SEND_CHECKS_PER_WINDOW,
                    TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the engine is past its grace period; the connection is being aborted anyway
        }
    }

    /**
     * Timer thread, {@link #SEND_CHECKS_PER_WINDOW} times a window while the watch is on. When every check over
     * the last whole window saw output waiting (in the process, or in the kernel unacknowledged) and the peer
     * took fewer bytes than the rate asks meanwhile, the peer is not reading: abort. Costs a timer task per
     * connection per check and, on engines that can tell, one ioctl while output was sent since the kernel last
     * held none; nothing on the write path.
     */
    private void checkSendRate(Watch w) {
        if (sendWatch != w || isClosed()) return;
        if (awaitingAck && unacknowledgedBytes() <= 0) {
            executor().execute(this::closeIfAcknowledged); // that ends the checks; else the next one comes
            scheduleSendCheck(w);
            return;
        }
        long sentBefore = sent;
        // An idle connection whose kernel held nothing at the last check and that sent nothing since holds nothing.
        long unacked = sentBefore != w.sentAtLastCheck || w.kernelHeldSome || awaitingAck ? unacknowledgedBytes() : 0;
        // Read after asking the kernel: bytes sent meanwhile count as taken (lenient), never as owed.
        long sentNow = sent;
        w.sentAtLastCheck = sentBefore;
        w.kernelHeldSome = unacked > 0;
        long taken = unacked > 0 ? sentNow - unacked : sentNow;
        boolean waiting = backlogged || draining || unacked > 0;
        long[] ring = w.taken;
        ring[w.checks % ring.length] = taken;
        w.checks++;
        w.waitingInARow = waiting ? Math.min(w.waitingInARow + 1, ring.length) : 0;
        if (w.waitingInARow == ring.length) {
            long tookInWindow = taken - ring[w.checks % ring.length]; // the oldest slot: one window ago
            if (tookInWindow < w.rate.bytesPerWindow()) {
                slowReaders.warn(hostOf(remote), "aborting connection from {}: it took {} bytes of waiting output in one "
                        + "window (minimum {})", remote, tookInWindow, w.rate);
                abort(new IOException("peer took " + tookInWindow + " bytes of waiting output in one window (minimum "
                        + w.rate + ")"));
                return;
            }
        }
        scheduleSendCheck(w);
    }

    private static Object hostOf(SocketAddress a) {
        return a instanceof java.net.InetSocketAddress isa && isa.getAddress() != null ? isa.getAddress() : a;
    }

    @Override
    public final void pauseReading() {
        readingPaused = true;
        readInterestChanged();
    }

    @Override
    public final void resumeReading() {
        readingPaused = false;
        readInterestChanged();
    }

    /** Whether the handler asked not to be given bytes now. */
    protected final boolean readingPaused() {
        return readingPaused;
    }

    @Override
    public final void close() {
        if (STATE.compareAndSet(this, OPEN, CLOSING)) {
            outboundReady(); // the flusher closes once the queue is empty
        }
    }

    @Override
    public final void abort() {
        abort(null);
    }

    /** Closes now with {@code cause} (null for an orderly abort); the handler's onClose receives it. Any thread. */
    public final void abort(Throwable cause) {
        if ((int) STATE.getAndSet(this, CLOSED) != CLOSED) {
            executor().execute(() -> finishClose(true, cause));
        }
    }

    @Override
    public final boolean isOpen() {
        return state == OPEN;
    }

    /** True once the connection is fully closed (not merely closing). */
    protected final boolean isClosed() {
        return state == CLOSED;
    }

    @Override
    public final ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        timers().removeIf(ScheduledFuture::isDone);
        ScheduledFuture<?> f = ctx.timer().schedule(() -> {
            if (!isClosed()) {
                executor().execute(() -> {
                    if (!isClosed()) {
                        guarded(task);
                    }
                });
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
        timers().add(f);
        return f;
    }

    @Override
    public final SocketAddress remote() {
        return remote;
    }

    @Override
    public final SocketAddress local() {
        return local;
    }

    @Override
    public final String model() {
        return ctx.model();
    }

    @Override
    public String toString() {
        return ctx.model() + " connection " + local + " <- " + remote;
    }

    // ---- handler calls, from the serial context

    /** Registers the connection, starts its idle timer and calls {@link Handler#onOpen}. */
    protected final void fireOpen() {
        ctx.register(this);
        if (ctx.config().hasIdleTimeout()) {
            scheduleIdleCheck(ctx.config().idleTimeout().toNanos());
        }
        if (ctx.shuttingDown()) {
            requestShutdown();
        }
        guarded(() -> handler.onOpen(this));
    }

    /** Gives {@code in} to the handler, unless the connection is closing. */
    protected final void fireRead(ByteBuffer in) {
        int n = in.remaining();
        ctx.stats().read(n);
        lastActivityNanos = System.nanoTime();
        if (state == OPEN) {
            try { // not guarded(...): a capturing lambda per read would allocate on the hot path
                handler.onRead(this, in);
            } catch (RuntimeException | Error e) {
                handlerFailed(e);
            }
        }
    }

    /** The peer sent EOF. */
    protected final void fireReadEnd() {
        if (state == OPEN) {
            guarded(() -> handler.onReadEnd(this));
        } else {
            closeIfAcknowledged();
        }
    }

    /** Runs a handler call; a handler that throws has its connection aborted with that cause, and logged. */
    private void guarded(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | Error e) {
            handlerFailed(e);
        }
    }

    private void handlerFailed(Throwable e) {
        if (e instanceof OutOfMemoryError shortage) {
            // Out of threads or memory, not a bug in the handler: a stack trace per connection would bury the log.
            ctx.shortage("handler", "aborting connection from {}: {} in its handler", remote, shortage.getMessage());
        } else {
            log.warn("handler of {} failed; aborting the connection", this, e);
        }
        abort(e);
    }

    void requestShutdown() {
        executor().execute(() -> {
            if (state == OPEN) {
                guarded(() -> handler.onShutdown(this));
            }
        });
    }

    private void scheduleIdleCheck(long delayNanos) {
        try {
            timers().add(ctx.timer().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the engine is past its grace period; the connection is being aborted anyway
        }
    }

    private void checkIdle() {
        if (isClosed()) {
            return;
        }
        long timeout = ctx.config().idleTimeout().toNanos();
        long idle = System.nanoTime() - lastActivityNanos;
        if (idle >= timeout) {
            executor().execute(() -> {
                if (state == OPEN) {
                    log.info("closing idle connection from {} after {} ms without traffic", remote, TimeUnit.NANOSECONDS.toMillis(idle));
                    lastActivityNanos = System.nanoTime();
                    guarded(() -> handler.onIdle(this));
                } else if (state == CLOSING) {
                    // Closing waits for the queue to drain, and a peer that stopped reading never lets it: the
                    // handler had its say when it closed, so end it here (an FTP download the client stopped taking).
                    slowReaders.warn(hostOf(remote), "aborting connection from {}: closing, its last output did not move for {} ms",
                            remote, TimeUnit.NANOSECONDS.toMillis(idle));
                    abort(new IOException("output did not move for " + TimeUnit.NANOSECONDS.toMillis(idle)
                            + " ms while closing"));
                }
            });
            scheduleIdleCheck(timeout);
        } else {
            scheduleIdleCheck(timeout - idle);
        }
    }

    // ---- flushing

    /**
     * Writes queued bytes and files to {@code sink} until the queue is empty or the sink would block. When the
     * queue empties after having backed up, {@link Handler#onDrained} is called; when {@link #close} was
     * asked, the connection closes. One flusher at a time.
     *
     * @return true if nothing is left to write
     */
    public final boolean flush(Sink sink) throws IOException {
        synchronized (flushing) {
            if (isClosed()) {
                discardQueued();
                return true;
            }
            boolean empty;
            draining = true;
            try {
                empty = drain(sink);
            } catch (OutOfMemoryError e) {
                // Writing a heap buffer goes through a temporary direct buffer of its size: with
                // -XX:MaxDirectMemorySize reached, this connection ends (the engine aborts it), the others go on.
                ctx.shortage("memory", "aborting connection from {}: {} while writing to it", remote, e.getMessage());
                throw new IOException(e.getMessage(), e);
            } finally {
                draining = false;
            }
            if (!empty) {
                backlogged = true;
                return false;
            }
            if (backlogged || readingPaused) {
                backlogged = false;
                executor().execute(() -> {
                    if (state == OPEN) {
                        guarded(() -> handler.onDrained(this));
                    }
                });
            }
        }
        if (state == CLOSING && outbound.isEmpty() && !awaitingAck) {
            // Everything is with the kernel. Closed now, a socket whose peer has not acknowledged it all would stay
            // in the kernel (FIN-WAIT-1) with the unsent rest, out of every deadline's reach, for as long as the
            // peer acknowledges a few bytes at a time. So while the send-rate watch is on and the kernel still holds
            // some, only the output is shut down (the peer gets its FIN after the last byte) and the watch goes on
            // judging the peer: closeIfAcknowledged ends it once it has all, the watch aborts it if it is slow.
            if (sendWatch != null && unacknowledgedBytes() > 0 && shutdownOutput()) {
                awaitingAck = true;
            } else if (STATE.compareAndSet(this, CLOSING, CLOSED)) {
                finishClose(false, null);
            }
        }
        return true;
    }

    /** Whether the connection waits for the peer's acknowledgements before it closes (see {@link #flush}). */
    protected final boolean awaitingAcknowledgement() {
        return awaitingAck && state == CLOSING;
    }

    /**
     * Closes a connection whose output was shut down to wait for the peer's acknowledgements (see {@link #flush})
     * once the kernel holds none of it; engines call it when the peer ends its side too (it has read what it
     * wanted), the send-rate watch at each check. Serial context.
     *
     * @return true if the connection is closed now
     */
    protected final boolean closeIfAcknowledged() {
        if (awaitingAck && state == CLOSING && unacknowledgedBytes() <= 0 && STATE.compareAndSet(this, CLOSING, CLOSED)) {
            finishClose(false, null);
            return true;
        }
        return false;
    }

    /** True when both queues are empty; false when the sink would block. */
    private boolean drain(Sink sink) throws IOException {
        while (true) {
            for (Object o; (o = outbound.poll()) != null; ) {
                flushing.addLast(o);
            }
            Object head = flushing.peekFirst();
            if (head == null) {
                return true;
            }
            if (head instanceof FileSegment f) {
                long n = f.remaining > 0 ? sink.transfer(f.file, f.position, f.remaining) : 0;
                if (n > 0) {
                    f.position += n;
                    f.remaining -= n;
                    wrote(n, false);
                    if (f.remaining > 0 && sink.transferFilledSocket(f.file, f.position)) return false;
                } else if (f.remaining > 0 && f.position >= f.file.size()) {
                    throw new IOException("file shrank while being sent: " + f.remaining + " bytes missing");
                }
                if (f.remaining > 0) {
                    if (n == 0) return false;
                    continue;
                }
                flushing.pollFirst();
                closeQuietly(f.file);
                continue;
            }
            int count = 0;
            while (count < MAX_GATHER && flushing.peekFirst() instanceof ByteBuffer b) {
                if (count == gather.length) {
                    gather = java.util.Arrays.copyOf(gather, Math.min(MAX_GATHER, Math.max(2, count * 4)));
                }
                gather[count++] = b;
                flushing.pollFirst();
            }
            long n = sink.write(gather, count);
            if (n > 0) {
                wrote(n, true);
            }
            // put back what the kernel did not take, in order
            for (int i = count - 1; i >= 0; i--) {
                if (gather[i].hasRemaining()) {
                    flushing.addFirst(gather[i]);
                }
                gather[i] = null;
            }
            if (flushing.peekFirst() instanceof ByteBuffer b && b.hasRemaining() && n == 0) {
                return false;
            }
        }
    }

    private void wrote(long n, boolean counted) {
        if (counted) {
            QUEUED.getAndAdd(this, -n);
        }
        sent += n; // one flusher at a time (the flush lock): no lost update
        ctx.stats().wrote(n);
        lastActivityNanos = System.nanoTime();
    }

    private void finishClose(boolean reset, Throwable cause) {
        Set<ScheduledFuture<?>> set = timers;
        if (set != null) {
            for (ScheduledFuture<?> t : set) {
                t.cancel(false);
            }
            set.clear();
        }
        closeTransport(reset);
        synchronized (flushing) {
            discardQueued();
        }
        ctx.unregister(this);
        executor().execute(() -> {
            try {
                handler.onClose(this, cause);
            } catch (RuntimeException | Error e) {
                log.warn("onClose of {} failed", this, e);
            } finally {
                afterClose();
            }
        });
    }

    private void discardQueued() {
        for (Object o; (o = outbound.poll()) != null; ) {
            flushing.addLast(o);
        }
        for (Object o; (o = flushing.pollFirst()) != null; ) {
            if (o instanceof FileSegment f) {
                closeQuietly(f.file);
            }
        }
        queued = 0;
    }

    private static void closeQuietly(FileChannel f) {
        try {
            f.close();
        } catch (IOException ignored) {
            // nothing to lose: the file was only read
        }
    }
}
