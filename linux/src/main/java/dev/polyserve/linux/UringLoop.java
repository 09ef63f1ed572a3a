package dev.polyserve.linux;

import dev.polyserve.core.Handler;
import dev.polyserve.core.engine.EngineContext;
import dev.polyserve.core.engine.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * One thread around one io_uring: the course's asynchronous I/O model. The loop does not ask "which socket is
 * ready?"; it asks the kernel to accept, receive and send, and later collects the results. Every request made
 * during a round (re-armed receives, sends of flushed output) goes to the kernel in one io_uring_enter at the
 * start of the next round, which is also where the loop waits.
 *
 * <p>Requests carry {@code user_data = slot << 8 | kind}; a connection's slot is not reused until every request
 * naming it has completed, because until then the kernel may still write into memory the request points at.
 */
final class UringLoop extends EventLoop {
    private static final Logger log = LoggerFactory.getLogger(UringLoop.class);
    /** Submission queue size: room for a receive and a send per connection in a busy round; full means submit early. */
    static final int RING_ENTRIES = 4096;
    /** Receive buffers shared by the loop's connections (a power of two), and their size. 512 x 16 KiB = 8 MiB. */
    static final int RECV_BUFFERS = 512;
    static final int RECV_BUFFER_SIZE = 16 * 1024;
    /** One buffer group per ring; the id only has to be unique within the ring. */
    private static final short BUFFER_GROUP = 1;

    static final int KIND_ACCEPT = 1;
    static final int KIND_WAKE = 2;
    static final int KIND_CANCEL = 3;
    static final int KIND_RECV = 4;
    static final int KIND_SEND = 5;
    static final int KIND_LINGER = 6;
    static final int KIND_ACCEPT_RETRY = 7;
    /**
     * After accept fails for want of descriptors (EMFILE/ENFILE) and the spare descriptor cannot refuse the waiting
     * client, wait this long before asking again.
     */
    static final int ACCEPT_BACKOFF_MILLIS = ReadinessLoop.ACCEPT_BACKOFF_MILLIS;
    private static final MemorySegment ACCEPT_BACKOFF = timespecMillis(ACCEPT_BACKOFF_MILLIS);

    private final EngineContext ctx;
    private final IoUring ring;
    private final BufferRing buffers;
    private final NativeIo io = new NativeIo();
    private final EventFd wake;
    private final int listenFd;
    /** The engine's loops, which take this loop's accepted connections in turn. */
    private final UringLoopGroup group;
    /** Send buffers not in use; a connection holds one only while its send is in flight. */
    private final ArrayDeque<SendBuffer> sendBuffers = new ArrayDeque<>();
    /** Connections whose receive found the buffer pool empty; re-armed as buffers come back. */
    private final ArrayDeque<UringConn> starved = new ArrayDeque<>();
    private UringConn[] slots = new UringConn[1024];
    private int[] freeSlots = new int[1024];
    private int freeCount;
    private int nextSlot;
    private boolean multishotAccept;
    private boolean multishotRecv;
    private boolean accepting;
    private boolean acceptArmed;
    /** The armed accept is the spare descriptor's (out of descriptors): its client is refused, then the spare restored. */
    private boolean spareAccept;
    /** A multishot accept failed for want of descriptors and is being cancelled; its last completion handles it. */
    private boolean shortOfDescriptors;
    private CountDownLatch acceptStopped;
    private boolean closed;
    private boolean enabled;

    /** @param multishot try multishot accept and receive first (they fall back by themselves when refused) */
    UringLoop(String name, EngineContext ctx, int listenFd, UringLoopGroup group, boolean multishot) throws ErrnoException {
        super(name);
        this.group = group;
        this.multishotAccept = multishot;
        this.multishotRecv = multishot;
        this.ctx = ctx;
        this.listenFd = listenFd;
        this.ring = openRing();
        try {
            this.buffers = new BufferRing(ring, BUFFER_GROUP, RECV_BUFFERS, RECV_BUFFER_SIZE);
            this.wake = new EventFd();
        } catch (ErrnoException | RuntimeException e) {
            ring.close();
            throw e;
        }
        accepting = true;
        armWake();
        armAccept();
    }

    /**
     * A ring with the single-issuer and deferred-task-run optimisations (Linux 6.1+), created disabled so that the
     * loop thread, which enables it, is its one issuer; a plain ring on older kernels.
     */
    private static IoUring openRing() throws ErrnoException {
        try {
            return IoUring.open(RING_ENTRIES,
                    IoUring.SETUP_SINGLE_ISSUER | IoUring.SETUP_DEFER_TASKRUN | IoUring.SETUP_R_DISABLED);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) throw e;
            return IoUring.open(RING_ENTRIES);
        }
    }

    /** The ring's optional features in use, for the start-up log line. */
    String features() {
        return (ring.disabled() ? "single issuer + deferred task run" : "plain ring") + (multishotRecv ? ", multishot accept and receive" : ", single-shot accept and receive")
                + ", " + RECV_BUFFERS + " x " + (RECV_BUFFER_SIZE / 1024) + " KiB provided receive buffers";
    }

    private static MemorySegment timespecMillis(long millis) {
        MemorySegment ts = Arena.global().allocate(16, 8);
        ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, millis / 1000);
        ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1_000_000L);
        return ts;
    }

    IoUring ring() {
        return ring;
    }

    BufferRing buffers() {
        return buffers;
    }

    NativeIo io() {
        return io;
    }

    boolean closed() {
        return closed;
    }

    /** The next free SQE, submitting what is queued first if the submission queue is full. */
    long sqe() {
        long sqe = ring.sqe();
        while (sqe < 0) {
            int r = ring.submitAndWait(0);
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
                throw new IllegalStateException(new ErrnoException("io_uring_enter", -r));
            }
            sqe = ring.sqe();
        }
        return sqe;
    }

    static long userData(int slot, int kind) {
        return ((long) slot << 8) | kind;
    }

    private void armWake() {
        long sqe = sqe();
        ring.prep(sqe, IoUring.OP_POLL_ADD, wake.fd(), 0, 0, 0, userData(0, KIND_WAKE));
        ring.opFlags(sqe, Libc.POLLIN);
    }

    private void armAccept() {
        armAccept(multishotAccept);
    }

    private void armAccept(boolean multishot) {
        long sqe = sqe();
        if (multishot) {
            ring.prep(sqe, IoUring.OP_ACCEPT, listenFd, 0, 0, 0, userData(0, KIND_ACCEPT));
            ring.ioprio(sqe, IoUring.ACCEPT_MULTISHOT);
        } else {
            ring.prep(sqe, IoUring.OP_ACCEPT, listenFd, io.sockaddr(), 0, io.sockaddrLen(), userData(0, KIND_ACCEPT));
        }
        ring.opFlags(sqe, Libc.SOCK_CLOEXEC);
        acceptArmed = true;
    }

    /** Whether receives should be multishot (until the kernel refuses one). */
    boolean multishotRecv() {
        return multishotRecv;
    }

    /** The kernel refused a multishot receive (before Linux 6.0): use single-shot receives from now on. */
    void noMultishotRecv() {
        if (multishotRecv) {
            multishotRecv = false;
            log.info("{}: this kernel has no multishot receive; re-arming one receive per completion", ctx.model());
        }
    }

    /** Submits an ASYNC_CANCEL for the request with {@code userData}. */
    void cancel(long userData) {
        long sqe = sqe();
        ring.prep(sqe, IoUring.OP_ASYNC_CANCEL, -1, userData, 0, 0, userData(0, KIND_CANCEL));
    }

    /** Submits an ASYNC_CANCEL for every request on {@code fd}. */
    void cancelAll(int fd) {
        long sqe = sqe();
        ring.prep(sqe, IoUring.OP_ASYNC_CANCEL, fd, 0, 0, 0, userData(0, KIND_CANCEL));
        ring.opFlags(sqe, IoUring.ASYNC_CANCEL_FD | IoUring.ASYNC_CANCEL_ALL);
    }

    @Override
    protected void poll(boolean block) throws ErrnoException {
        if (!enabled) {
            enabled = true;
            if (ring.disabled()) Libc.check("io_uring_register(ENABLE_RINGS)", ring.register(IoUring.REGISTER_ENABLE_RINGS, 0, 0));
        }
        int r = ring.submitAndWait(block ? 1 : 0);
        if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
            Libc.check("io_uring_enter", r);
        }
        int n;
        while ((n = ring.cqReady()) > 0) {
            for (int i = 0; i < n; i++) {
                complete(ring.cqeUserData(i), ring.cqeRes(i), ring.cqeFlags(i));
            }
            ring.cqAdvance(n);
        }
    }

    private void complete(long userData, int res, int flags) {
        int kind = (int) (userData & 0xff);
        int slot = (int) (userData >>> 8);
        switch (kind) {
            case KIND_WAKE -> {
                wake.drain();
                if (!closed) armWake();
            }
            case KIND_ACCEPT -> accepted(res, flags);
            case KIND_CANCEL -> { /* the cancelled requests report themselves */ }
            case KIND_RECV -> slots[slot].received(res, flags);
            case KIND_SEND -> slots[slot].sent(res);
            case KIND_LINGER -> slots[slot].lingerEnded(res);
            case KIND_ACCEPT_RETRY -> {
                if (accepting && !acceptArmed && !closed) armAccept();
            }
            default -> log.error("{}: completion of unknown kind {} (user_data {})", ctx.model(), kind, userData);
        }
    }

    private void accepted(int res, int flags) {
        boolean more = (flags & IoUring.CQE_F_MORE) != 0;
        if (!more) acceptArmed = false;
        if (spareAccept) {
            spareAccept = false;
            refusedWithSpare(res);
        } else if (res >= 0) {
            InetSocketAddress remote;
            try {
                remote = multishotAccept ? io.remoteAddress(res) : io.decodeSockaddr();
            } catch (ErrnoException e) {
                io.close(res, false); // the peer is already gone
                remote = null;
            }
            if (remote != null) handOff(res, remote);
        } else if (res == -Errno.EINVAL && multishotAccept) {
            multishotAccept = false;
            log.info("{}: this kernel has no multishot accept; accepting one connection per request", ctx.model());
        } else if (res == -Errno.EMFILE || res == -Errno.ENFILE) {
            if (acceptArmed) {
                // A multishot accept stays armed, but tries again only when the next client arrives, leaving the
                // waiting one in the queue: end it, and handle the shortage when its last completion comes.
                shortOfDescriptors = true;
                cancel(userData(0, KIND_ACCEPT));
                return;
            }
            if (accepting && refuseWithSpareOrPause(-res)) return;
        } else if (res == -Errno.ECANCELED && shortOfDescriptors) {
            shortOfDescriptors = false;
            if (!acceptArmed && accepting && refuseWithSpareOrPause(Errno.EMFILE)) return;
        } else if (res != -Errno.ECANCELED && res != -Errno.ECONNABORTED && res != -Errno.EINTR) {
            ctx.shortage("accept", "accept failed: {}", new ErrnoException("accept", -res).getMessage());
        }
        if (!acceptArmed) {
            if (accepting) {
                armAccept();
            } else if (acceptStopped != null) {
                acceptStopped.countDown();
            }
        }
    }

    /**
     * Out of descriptors, no accept armed: one accept into the spare's slot (see SpareDescriptor), so the waiting
     * client hears the refusal; or, with no spare, a pause. True when either is under way.
     */
    private boolean refuseWithSpareOrPause(int errno) {
        if (ctx.spare().release()) {
            spareAccept = true;
            armAccept(false);
            return true;
        }
        ctx.shortage("descriptors", "accept failed: {}; pausing accept for {} ms (raise ulimit -n or lower --max-connections)",
                new ErrnoException("accept", errno).getMessage(), ACCEPT_BACKOFF_MILLIS);
        long sqe = sqe();
        ring.prep(sqe, IoUring.OP_TIMEOUT, -1, ACCEPT_BACKOFF.address(), 1, 0, userData(0, KIND_ACCEPT_RETRY));
        return true;
    }

    /** The spare descriptor's accept completed: refuse its client (if any), then take the spare back. */
    private void refusedWithSpare(int res) {
        if (res >= 0) {
            Object remote;
            try {
                remote = io.remoteAddress(res);
            } catch (ErrnoException gone) {
                remote = "a peer already gone";
            }
            ctx.refused("descriptors", remote, "out of descriptors (raise ulimit -n or lower --max-connections)");
            io.refuseAndShutDown(res, ctx.refusal());
            ctx.spare().restore(() -> Libc.close(res));
        } else {
            ctx.spare().restore(null);
        }
    }

    private void refuse(int fd) {
        byte[] refusal = ctx.refusal();
        if (refusal != null) io.sendQuietly(fd, refusal);
        io.close(fd, false);
    }

    /**
     * Gives an accepted connection to the loop whose turn it is (see {@link UringLoopGroup}). Shutdown cannot lose
     * it: the engine stops no loop before every accept request is cancelled, which comes after this task is queued,
     * and a loop that is stopping refuses (closes) a connection it is handed.
     */
    private void handOff(int fd, InetSocketAddress remote) {
        UringLoop taker = group.next();
        if (taker == null || taker == this) {
            adopt(fd, remote);
        } else {
            taker.execute(() -> taker.adopt(fd, remote));
        }
    }

    private void adopt(int fd, InetSocketAddress remote) {
        if (!ctx.admit(remote)) {
            refuse(fd);
            return;
        }
        UringConn conn;
        try {
            io.noDelay(fd);
            InetSocketAddress local = io.localAddress(fd);
            Handler handler = ctx.service().newHandler();
            conn = new UringConn(ctx, handler, fd, allocateSlot(), remote, local, this);
        } catch (ErrnoException | RuntimeException e) {
            log.warn("{}: could not set up the connection from {}: {}", ctx.model(), remote, e.toString());
            io.close(fd, false);
            return;
        }
        slots[conn.slot] = conn;
        conn.opened();
    }

    private int allocateSlot() {
        if (freeCount > 0) return freeSlots[--freeCount];
        int s = nextSlot++;
        if (s >= slots.length) slots = Arrays.copyOf(slots, slots.length * 2);
        return s;
    }

    /** Every request of the connection has completed and its descriptor is closed. */
    void release(UringConn c) {
        assert inLoop();
        slots[c.slot] = null;
        starved.remove(c);
        if (freeCount == freeSlots.length) freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        freeSlots[freeCount++] = c.slot;
    }

    /** Native memory a send request points at, with a ByteBuffer view to fill it without allocating. */
    record SendBuffer(ByteBuffer buffer, long address) {
        static SendBuffer allocate() {
            MemorySegment m = Arena.ofAuto().allocate(UringConn.SEND_BUFFER, 64);
            return new SendBuffer(m.asByteBuffer(), m.address());
        }
    }

    /** A send buffer of {@link UringConn#SEND_BUFFER} bytes, reused across connections. */
    SendBuffer takeSendBuffer() {
        SendBuffer b = sendBuffers.pollFirst();
        return b != null ? b : SendBuffer.allocate();
    }

    void returnSendBuffer(SendBuffer b) {
        sendBuffers.addFirst(b);
    }

    /** Cancels the linger timer of the connection in {@code slot}. */
    void cancelTimeout(int slot) {
        long sqe = sqe();
        ring.prep(sqe, IoUring.OP_ASYNC_CANCEL, -1, userData(slot, KIND_LINGER), 0, 0, userData(0, KIND_CANCEL));
    }

    /** Receive buffer {@code id} was consumed; wake a connection that found the pool empty. */
    void recycle(int id) {
        buffers.recycle(id);
        UringConn c = starved.pollFirst();
        if (c != null) c.armRecv();
    }

    /** A receive found no free buffer (ENOBUFS): retry it when one comes back. */
    void starve(UringConn c) {
        starved.addLast(c);
    }

    /** Cancel the accept request; {@code done} counts down when the kernel has let go of the socket. */
    void stopAccepting(CountDownLatch done) {
        assert inLoop();
        accepting = false;
        if (!acceptArmed || closed) {
            done.countDown();
            return;
        }
        acceptStopped = done;
        long sqe = sqe();
        ring.prep(sqe, IoUring.OP_ASYNC_CANCEL, -1, userData(0, KIND_ACCEPT), 0, 0, userData(0, KIND_CANCEL));
    }

    @Override
    protected void wakeup() {
        wake.signal();
    }

    @Override
    protected void closeResources() {
        accepting = false;
        for (UringConn c : slots) {
            if (c != null) c.abort();
        }
        closed = true;
        for (UringConn c : slots) {
            if (c != null) c.loopClosed();
        }
        if (acceptStopped != null) acceptStopped.countDown();
        if (spareAccept) ctx.spare().restore(null);
        ring.close();
        wake.close();
    }
}
