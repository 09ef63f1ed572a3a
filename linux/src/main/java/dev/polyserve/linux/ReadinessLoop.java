package dev.polyserve.linux;

import dev.polyserve.core.Handler;
import dev.polyserve.core.engine.EngineContext;
import dev.polyserve.core.engine.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One thread around one {@link Poller}: accepts from the shared listening socket, reads and writes its own
 * connections, and wakes on an eventfd when another thread hands it work. Connections are found by descriptor
 * number in a plain array (the course's fdmap), so dispatch allocates nothing.
 */
final class ReadinessLoop extends EventLoop {
    private static final Logger log = LoggerFactory.getLogger(ReadinessLoop.class);
    /**
     * Connections accepted per readiness report on a level-triggered loop, so a connection storm cannot starve
     * the loop's open connections (the kernel reports the socket again next round). Edge-triggered loops must
     * accept until EAGAIN.
     */
    static final int MAX_ACCEPTS_PER_ROUND = 64;
    /**
     * After accept fails for want of descriptors (EMFILE/ENFILE) and the spare descriptor cannot refuse the
     * waiting client, stop watching the listening socket this long: it stays readable, and a level-triggered loop
     * would otherwise spin on it. 100 ms lets connections close.
     */
    static final int ACCEPT_BACKOFF_MILLIS = 100;

    // What refuseWithSpare came to. Plain ints, not an enum: out of descriptors, no class file can be opened, so a
    // class first needed here would fail to load.
    /** The waiting client was accepted into the spare's slot and refused. */
    private static final int SPARE_REFUSED = 0;
    /**
     * The listen queue was empty after all: accept4 allocates the descriptor before it looks at the queue, so at the
     * limit it says EMFILE even when no client is waiting (another loop took it, or it went away).
     */
    private static final int SPARE_QUEUE_EMPTY = 1;
    /** No spare to lend (another loop holds it, or it was lost), or the accept failed again: back off. */
    private static final int SPARE_UNAVAILABLE = 2;

    private final EngineContext ctx;
    private final Poller poller;
    private final NativeIo io = new NativeIo();
    private final EventFd wake;
    private final int listenFd;
    private NativeConn[] conns = new NativeConn[1024];
    private boolean listening;
    private boolean closed;
    /** When accepting paused for EMFILE/ENFILE: the System.nanoTime() to resume at; 0 when not paused. */
    private long acceptResumeAt;

    ReadinessLoop(String name, EngineContext ctx, Poller poller, int listenFd) throws ErrnoException, Poller.FdLimitException {
        super(name);
        this.ctx = ctx;
        this.poller = poller;
        this.listenFd = listenFd;
        this.wake = new EventFd();
        try {
            poller.add(wake.fd(), Poller.READ);
            if (poller instanceof EpollPoller epoll) {
                epoll.addShared(listenFd);
            } else {
                poller.add(listenFd, Poller.READ);
            }
            listening = true;
        } catch (ErrnoException | Poller.FdLimitException | RuntimeException e) {
            wake.close();
            poller.close();
            throw e;
        }
    }

    Poller poller() {
        return poller;
    }

    NativeIo io() {
        return io;
    }

    @Override
    protected void poll(boolean block) throws ErrnoException {
        int timeout = block ? -1 : 0;
        if (acceptResumeAt != 0) {
            long left = acceptResumeAt - System.nanoTime();
            if (left <= 0) {
                resumeAccepting();
            } else if (block) {
                timeout = (int) Math.max(1, left / 1_000_000);
            }
        }
        int n = poller.await(timeout);
        for (int i = 0; i < n; i++) {
            int fd = poller.readyFd(i);
            int ops = poller.readyOps(i);
            if (fd == wake.fd()) {
                wake.drain();
            } else if (fd == listenFd) {
                if (listening) acceptReady();
            } else if (fd < conns.length && conns[fd] != null) {
                NativeConn c = conns[fd];
                if ((ops & Poller.WRITE) != 0) c.writable();
                if ((ops & Poller.READ) != 0 && conns[fd] == c) c.readable((ops & Poller.PEER_CLOSED) == 0);
                if ((ops & Poller.HANGUP) != 0 && conns[fd] == c) c.hungUp();
            }
        }
    }

    private void acceptReady() {
        int limit = poller.edgeTriggered() ? Integer.MAX_VALUE : MAX_ACCEPTS_PER_ROUND;
        for (int i = 0; i < limit; i++) {
            int fd = Libc.accept4(listenFd, io.sockaddr(), io.sockaddrLen(), Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (fd == -Errno.EAGAIN) return;
            if (fd == -Errno.ECONNABORTED || fd == -Errno.EINTR) continue;
            if (fd < 0) {
                if (fd == -Errno.EMFILE || fd == -Errno.ENFILE) {
                    int spare = refuseWithSpare(-fd);
                    if (spare == SPARE_REFUSED) continue;
                    if (spare == SPARE_QUEUE_EMPTY) return; // no client was waiting: nothing to pause for
                    ctx.shortage("descriptors", "accept4 failed: {}; pausing accept for {} ms (raise ulimit -n or lower --max-connections)",
                            new ErrnoException("accept4", -fd).getMessage(), ACCEPT_BACKOFF_MILLIS);
                    pauseAccepting(System.nanoTime());
                } else {
                    ctx.shortage("accept", "accept4 failed: {}", new ErrnoException("accept4", -fd).getMessage());
                }
                return;
            }
            adopt(fd, io.decodeSockaddr());
        }
    }

    /**
     * Out of descriptors: frees the engine's spare descriptor, accepts the waiting client into it, refuses it and
     * takes the spare back (see {@link dev.polyserve.core.engine.SpareDescriptor}); one of the SPARE_ outcomes.
     */
    private int refuseWithSpare(int errno) {
        if (!ctx.spare().release()) return SPARE_UNAVAILABLE;
        int fd = -1;
        try {
            fd = Libc.accept4(listenFd, io.sockaddr(), io.sockaddrLen(), Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (fd == -Errno.EAGAIN) return SPARE_QUEUE_EMPTY;
            if (fd < 0) return SPARE_UNAVAILABLE;
            ctx.refused("descriptors", io.decodeSockaddr(), new ErrnoException("accept4", errno).getMessage()
                    + " (raise ulimit -n or lower --max-connections)");
            io.refuseAndShutDown(fd, ctx.refusal());
            return SPARE_REFUSED;
        } finally {
            int held = fd;
            ctx.spare().restore(held >= 0 ? () -> Libc.close(held) : null);
        }
    }

    private void adopt(int fd, InetSocketAddress remote) {
        if (!ctx.admit(remote)) {
            refuse(fd);
            return;
        }
        NativeConn conn;
        try {
            io.noDelay(fd);
            InetSocketAddress local = io.localAddress(fd);
            Handler handler = ctx.service().newHandler();
            conn = new NativeConn(ctx, handler, fd, remote, local, this);
            poller.add(fd, Poller.READ);
        } catch (Poller.FdLimitException e) {
            ctx.refused("descriptors", remote, e.getMessage());
            refuse(fd);
            return;
        } catch (ErrnoException | RuntimeException e) {
            log.warn("{}: could not set up the connection from {}: {}", ctx.model(), remote, e.toString());
            io.close(fd, false);
            return;
        }
        if (fd >= conns.length) conns = Arrays.copyOf(conns, Math.max(fd + 1, conns.length * 2));
        conns[fd] = conn;
        conn.opened();
    }

    private void refuse(int fd) {
        byte[] refusal = ctx.refusal();
        if (refusal != null) io.sendQuietly(fd, refusal);
        io.close(fd, false);
    }

    /** The connection's descriptor is about to be closed. */
    void forget(NativeConn c) {
        assert inLoop();
        if (!closed) poller.remove(c.fd);
        if (c.fd < conns.length && conns[c.fd] == c) conns[c.fd] = null;
    }

    private void pauseAccepting(long now) {
        if (!listening) return;
        poller.remove(listenFd);
        listening = false;
        acceptResumeAt = now + ACCEPT_BACKOFF_MILLIS * 1_000_000L;
    }

    private void resumeAccepting() {
        acceptResumeAt = 0;
        if (closed) return;
        try {
            if (poller instanceof EpollPoller epoll) {
                epoll.addShared(listenFd);
            } else {
                poller.add(listenFd, Poller.READ);
            }
            listening = true;
        } catch (ErrnoException | Poller.FdLimitException e) {
            log.error("{}: cannot watch the listening socket again: {}", ctx.model(), e.getMessage());
        }
    }

    /** Stop watching the listening socket (before the engine closes it). */
    void stopAccepting() {
        assert inLoop();
        acceptResumeAt = 0;
        if (listening && !closed) {
            listening = false;
            poller.remove(listenFd);
        }
    }

    @Override
    protected void wakeup() {
        wake.signal();
    }

    @Override
    protected void closeResources() {
        stopAccepting();
        for (NativeConn c : conns) {
            if (c != null) c.abort();
        }
        closed = true;
        poller.close();
        wake.close();
    }
}
