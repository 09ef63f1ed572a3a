package dev.polyserve.linux;

import dev.polyserve.core.Handler;
import dev.polyserve.core.engine.ConnBase;
import dev.polyserve.core.engine.EngineContext;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection served by a {@link UringLoop}. At most one receive and one send are in flight. A receive takes
 * its buffer from the loop's {@link BufferRing} only when bytes arrive; a send owns a pooled send buffer until
 * the kernel reports it done, so {@link #write} hands ConnBase "taken" for bytes copied into that buffer and
 * "would block" while it is busy. The descriptor is closed only after every request on it has completed.
 */
final class UringConn extends ConnBase implements ConnBase.Sink {
    /** Bytes per send request: 64 KiB, the same order as a loopback socket's send buffer. */
    static final int SEND_BUFFER = 64 * 1024;
    /**
     * How long a gracefully closed connection may wait for its last send to complete (a peer that never reads)
     * before it is reset: 30 s, the order of nginx's lingering_time.
     */
    static final long CLOSE_LINGER_SECONDS = 30;
    private static final MemorySegment LINGER_TIMESPEC = timespec(CLOSE_LINGER_SECONDS);

    final int fd;
    final int slot;
    private final UringLoop loop;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flushNow;
    private final Runnable readStateTask = this::readStateChanged;
    // Loop thread only from here on.
    private int inflight;
    private boolean recvArmed;
    private boolean eof;
    /** Receive buffers that completed while the handler had paused reading, delivered in order on resume. */
    private final HeldBuffers held = new HeldBuffers();
    private boolean recvMultishot;
    private boolean cancelSent;
    private boolean eofPending;
    private UringLoop.SendBuffer send;
    private int sendLen;
    private int sendOff;
    private boolean closeAfterSend;
    private boolean lingerArmed;
    private boolean transportClosing;
    private boolean reset;
    private boolean fdClosed;

    UringConn(EngineContext ctx, Handler handler, int fd, int slot, SocketAddress remote, SocketAddress local, UringLoop loop) {
        super(ctx, handler, remote, local);
        this.fd = fd;
        this.slot = slot;
        this.loop = loop;
    }

    private static MemorySegment timespec(long seconds) {
        MemorySegment ts = java.lang.foreign.Arena.global().allocate(16, 8);
        ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, seconds);
        return ts;
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    protected boolean inFlusher() {
        return loop.inLoop();
    }

    void opened() {
        fireOpen();
        armRecv();
    }

    // ---- receiving

    /**
     * Arms the connection's receive: multishot (one request, a completion per chunk, Linux 6.0+) where the kernel
     * has it, else single-shot and re-armed after each completion. Either way the kernel picks the buffer.
     */
    void armRecv() {
        if (recvArmed || eof || held.size() > 0 || transportClosing || fdClosed || isClosed() || readingPaused()) return;
        IoUring ring = loop.ring();
        long sqe = loop.sqe();
        recvMultishot = loop.multishotRecv();
        // A multishot receive takes its length from each provided buffer and must name none itself.
        int len = recvMultishot ? 0 : loop.buffers().bufferSize();
        ring.prep(sqe, IoUring.OP_RECV, fd, 0, len, 0, UringLoop.userData(slot, UringLoop.KIND_RECV));
        ring.selectBuffer(sqe, loop.buffers().group());
        if (recvMultishot) ring.ioprio(sqe, IoUring.RECV_MULTISHOT);
        recvArmed = true;
        cancelSent = false;
        inflight++;
    }

    void received(int res, int flags) {
        boolean more = (flags & IoUring.CQE_F_MORE) != 0;
        if (!more) {
            recvArmed = false;
            inflight--;
        }
        int id = (flags & IoUring.CQE_F_BUFFER) != 0 ? flags >>> IoUring.CQE_BUFFER_SHIFT : -1;
        if (transportClosing || fdClosed || isClosed()) {
            if (id >= 0) loop.recycle(id);
            finishIfIdle();
            return;
        }
        if (res > 0) {
            if (readingPaused() || held.size() > 0) {
                held.add(id, res); // in order, behind what is already held
                if (!readingPaused()) {
                    deliverHeld();
                } else if (more) {
                    cancelRecv(); // stop the stream while paused; TCP flow control takes over
                }
            } else {
                deliver(id, res);
            }
            if (!more) armRecv();
        } else if (res == 0) {
            if (id >= 0) loop.recycle(id);
            eof = true;
            if (readingPaused() || held.size() > 0) {
                eofPending = true; // a multishot stream can end while bytes are held: EOF comes after them
            } else {
                fireReadEnd();
            }
        } else if (res == -Errno.ENOBUFS) {
            loop.starve(this);
        } else if (res == -Errno.EINVAL && recvMultishot) {
            loop.noMultishotRecv();
            armRecv();
        } else if (res == -Errno.ECANCELED) {
            armRecv(); // cancelled for a pause that may already be over; armRecv checks
        } else {
            if (id >= 0) loop.recycle(id);
            abort(new ErrnoException("recv", -res));
        }
        finishIfIdle();
    }

    private void cancelRecv() {
        if (!recvArmed || cancelSent) return;
        cancelSent = true;
        loop.cancel(UringLoop.userData(slot, UringLoop.KIND_RECV));
    }

    private void deliver(int id, int len) {
        try {
            fireRead(loop.buffers().view(id, len));
        } finally {
            loop.recycle(id);
        }
    }

    @Override
    protected void readInterestChanged() {
        if (loop.inLoop()) {
            readStateChanged();
        } else {
            loop.execute(readStateTask);
        }
    }

    private void readStateChanged() {
        if (transportClosing || fdClosed) return;
        if (readingPaused()) {
            if (recvMultishot) cancelRecv();
            return;
        }
        deliverHeld();
        armRecv();
    }

    /** Hands held buffers to the handler in order, until it pauses again. */
    private void deliverHeld() {
        while (held.size() > 0 && !readingPaused() && !isClosed()) {
            int id = held.firstId();
            int len = held.firstLength();
            held.removeFirst();
            deliver(id, len);
        }
        if (eofPending && held.size() == 0 && !readingPaused() && !isClosed()) {
            eofPending = false;
            fireReadEnd();
        }
    }

    // ---- sending

    @Override
    protected void outboundReady() {
        loop.scheduleFlush(flushScheduled, flushTask);
    }

    private void flushNow() {
        flushScheduled.set(false);
        if (isClosed()) return;
        try {
            flush(this);
        } catch (IOException e) {
            abort(e);
        }
    }

    @Override
    public long write(ByteBuffer[] bufs, int count) {
        if (send != null || transportClosing || fdClosed) return 0;
        UringLoop.SendBuffer b = loop.takeSendBuffer();
        ByteBuffer dst = b.buffer();
        int filled = 0;
        for (int i = 0; i < count && filled < SEND_BUFFER; i++) {
            ByteBuffer src = bufs[i];
            int take = Math.min(src.remaining(), SEND_BUFFER - filled);
            dst.put(filled, src, src.position(), take);
            src.position(src.position() + take);
            filled += take;
        }
        if (filled == 0) {
            loop.returnSendBuffer(b);
            return 0;
        }
        startSend(b, filled);
        return filled;
    }

    @Override
    public long transfer(FileChannel file, long position, long count) throws IOException {
        if (send != null || transportClosing || fdClosed) return 0;
        UringLoop.SendBuffer b = loop.takeSendBuffer();
        ByteBuffer dst = b.buffer().clear().limit((int) Math.min(count, SEND_BUFFER));
        int n;
        try {
            n = file.read(dst, position); // page-cache read on the loop; the socket write is asynchronous
        } catch (IOException | RuntimeException e) {
            loop.returnSendBuffer(b);
            throw e;
        }
        b.buffer().clear();
        if (n <= 0) {
            loop.returnSendBuffer(b);
            return 0;
        }
        startSend(b, n);
        return n;
    }

    /** The transfer's send is in flight, and its completion runs the flusher again: nothing more to offer now. */
    @Override
    public boolean transferFilledSocket(FileChannel file, long next) {
        return send != null;
    }

    private void startSend(UringLoop.SendBuffer b, int len) {
        send = b;
        sendLen = len;
        sendOff = 0;
        submitSend();
    }

    private void submitSend() {
        IoUring ring = loop.ring();
        long sqe = loop.sqe();
        ring.prep(sqe, IoUring.OP_SEND, fd, send.address() + sendOff, sendLen - sendOff, 0,
                UringLoop.userData(slot, UringLoop.KIND_SEND));
        ring.opFlags(sqe, Libc.MSG_NOSIGNAL);
        inflight++;
    }

    void sent(int res) {
        inflight--;
        if (res > 0) sendOff += res;
        if (res > 0 && sendOff < sendLen && !transportClosing) {
            submitSend(); // a short send: the rest goes now, before anything queued later
            return;
        }
        loop.returnSendBuffer(send);
        send = null;
        if (res < 0 && res != -Errno.ECANCELED && !transportClosing) {
            abort(new ErrnoException("send", -res));
        } else if (closeAfterSend) {
            closeAfterSend = false;
            if (lingerArmed) loop.cancelTimeout(slot);
            startClose();
        } else if (!transportClosing) {
            flushNow();
        }
        finishIfIdle();
    }

    /** The linger timer fired (or was cancelled). */
    void lingerEnded(int res) {
        inflight--;
        lingerArmed = false;
        if (res == -Errno.ETIME && closeAfterSend) {
            closeAfterSend = false;
            reset = true;
            startClose();
        }
        finishIfIdle();
    }

    // ---- closing

    /**
     * SIOCOUTQ on the descriptor: what the kernel holds that the peer has not acknowledged. Timer thread: once the
     * connection is closed its descriptor may already belong to another socket, so then it answers -1.
     */
    @Override
    public long unacknowledgedBytes() {
        if (isClosed()) return -1;
        int n = Libc.ioctlInt(fd, Libc.SIOCOUTQ);
        return n < 0 ? -1 : n;
    }

    @Override
    protected void closeTransport(boolean reset) {
        if (transportClosing || fdClosed || closeAfterSend) {
            if (reset && closeAfterSend) { // an abort while lingering: stop waiting for the peer
                closeAfterSend = false;
                this.reset = true;
                startClose();
            }
            return;
        }
        this.reset = reset;
        if (loop.closed()) {
            closeFd();
            return;
        }
        if (!reset && send != null) {
            closeAfterSend = true; // the last bytes are with the kernel: close once they are sent
            IoUring ring = loop.ring();
            long sqe = loop.sqe();
            ring.prep(sqe, IoUring.OP_TIMEOUT, -1, LINGER_TIMESPEC.address(), 1, 0,
                    UringLoop.userData(slot, UringLoop.KIND_LINGER));
            lingerArmed = true;
            inflight++;
            return;
        }
        startClose();
    }

    private void startClose() {
        transportClosing = true;
        if (inflight > 0) loop.cancelAll(fd);
        finishIfIdle();
    }

    private void finishIfIdle() {
        if (transportClosing && inflight == 0 && !fdClosed) {
            closeFd();
            loop.release(this);
        }
    }

    private void closeFd() {
        fdClosed = true;
        while (held.size() > 0) {
            loop.recycle(held.firstId());
            held.removeFirst();
        }
        loop.io().close(fd, reset);
    }

    /**
     * The loop is ending and its ring goes with it (the kernel cancels what is left): close the socket now. A
     * connection that was closing gracefully still ends with a FIN; anything else was aborted and is reset.
     */
    void loopClosed() {
        if (!fdClosed) {
            fdClosed = true;
            loop.io().close(fd, reset || !transportClosing && !closeAfterSend);
        }
    }

    /** A small FIFO of (buffer id, length) pairs; grows only while a paused connection keeps receiving. */
    private static final class HeldBuffers {
        private int[] ids = new int[4];
        private int[] lengths = new int[4];
        private int head;
        private int count;

        int size() {
            return count;
        }

        void add(int id, int length) {
            if (count == ids.length) {
                int[] i2 = new int[ids.length * 2];
                int[] l2 = new int[ids.length * 2];
                for (int k = 0; k < count; k++) {
                    i2[k] = ids[(head + k) % ids.length];
                    l2[k] = lengths[(head + k) % ids.length];
                }
                ids = i2;
                lengths = l2;
                head = 0;
            }
            int at = (head + count) % ids.length;
            ids[at] = id;
            lengths[at] = length;
            count++;
        }

        int firstId() {
            return ids[head];
        }

        int firstLength() {
            return lengths[head];
        }

        void removeFirst() {
            head = (head + 1) % ids.length;
            count--;
        }
    }
}
