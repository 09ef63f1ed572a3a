package dev.polyserve.linux;

import dev.polyserve.core.Handler;
import dev.polyserve.core.engine.ConnBase;
import dev.polyserve.core.engine.EngineContext;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A raw socket descriptor served by a {@link ReadinessLoop}. Level-triggered loops watch for writability only
 * while bytes are queued; an edge-triggered loop watches both directions once and this connection then reads
 * and writes until EAGAIN, because the kernel will not report the same readiness again (a read shorter than the
 * buffer counts as reaching it when the event reported no EOF: the receive queue was emptied, and the next arrival
 * is reported).
 */
final class NativeConn extends ConnBase implements ConnBase.Sink {
    /**
     * Reads in a row on an edge-triggered socket before yielding to the other connections of the loop (then the
     * read resumes in the same round's task queue): 16 x 64 KiB keeps one fast sender from starving the rest.
     */
    static final int MAX_READS_PER_TURN = 16;

    final int fd;
    private final ReadinessLoop loop;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flushNow;
    /** A read not started by a readiness event (resumed reading, the next turn): read to EAGAIN, as before. */
    private final Runnable readTask = () -> readable(false);
    private final Runnable interestTask = this::updateInterest;
    private boolean eof;          // loop thread only
    private boolean wantWrite;    // loop thread only
    private int interest = -1;    // loop thread only: what the poller watches now
    private boolean transportClosed; // loop thread only
    private boolean unwatched;       // loop thread only: the poller no longer watches the descriptor (see hungUp)

    NativeConn(EngineContext ctx, Handler handler, int fd, SocketAddress remote, SocketAddress local, ReadinessLoop loop) {
        super(ctx, handler, remote, local);
        this.fd = fd;
        this.loop = loop;
    }

    /** The poller watches us; tell the handler. */
    void opened() {
        assert loop.inLoop();
        interest = Poller.READ;
        fireOpen();
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    protected boolean inFlusher() {
        return loop.inLoop();
    }

    /**
     * The socket has bytes (or EOF, or an error).
     *
     * @param peerOpen the readiness event reported no EOF or error: an edge-triggered reader may stop at a short
     *                 read instead of reading on to EAGAIN
     */
    void readable(boolean peerOpen) {
        assert loop.inLoop();
        boolean edge = loop.poller().edgeTriggered();
        int reads = 0;
        NativeIo io = loop.io();
        // While closing, bytes are still read (and dropped by fireRead) so a level-triggered poller does not spin.
        while (!eof && !readingPaused() && !isClosed()) {
            long n = Libc.recv(fd, io.readAddress, NativeIo.READ_BUFFER, 0);
            if (n > 0) {
                ByteBuffer buf = io.readBuffer;
                buf.clear().limit((int) n);
                fireRead(buf);
                // A short read emptied the socket's receive queue: stop here instead of asking again for an EAGAIN
                // (one recv per request instead of two under request/response traffic). Bytes or a FIN that arrive
                // later wake epoll again, edge-triggered included (each arrival re-queues the socket). A FIN that
                // was already there when the event was reported is not reported again: then read on to the EOF
                // (nginx does the same with EPOLLRDHUP).
                if (!edge || peerOpen && n < NativeIo.READ_BUFFER) return;
                if (++reads == MAX_READS_PER_TURN) {
                    loop.execute(readTask);
                    return;
                }
            } else if (n == 0) {
                eof = true;
                updateInterest();
                fireReadEnd();
                return;
            } else if (n == -Errno.EAGAIN) {
                return;
            } else {
                abort(new ErrnoException("recv", (int) -n));
                return;
            }
        }
    }

    /** The socket can take bytes again. */
    void writable() {
        assert loop.inLoop();
        if (wantWrite || loop.poller().edgeTriggered()) flushNow();
    }

    /** The peer hung up or the socket has an error, and reading will not reveal it. */
    void hungUp() {
        assert loop.inLoop();
        if (awaitingAcknowledgement()) {
            // Both ways shut after a close that waits for the peer's acknowledgements: closed if it has them all.
            // Else the peer may still be reading (it only shut its side), or it reset the socket: a reset shows in
            // a read. A level-triggered poller reports the hang-up again and again, so the socket is no longer
            // watched: the send-rate watch decides, and closes it gracefully once the peer has acknowledged it all.
            if (closeIfAcknowledged()) return;
            long n = Libc.recv(fd, loop.io().readAddress, NativeIo.READ_BUFFER, 0);
            if (n < 0 && n != -Errno.EAGAIN) {
                abort(new ErrnoException("recv", (int) -n));
            } else if (!unwatched) {
                unwatched = true;
                loop.poller().remove(fd);
            }
            return;
        }
        if (eof && !wantWrite && !isClosed()) {
            abort(new IOException("connection reset by peer"));
        }
    }

    private void flushNow() {
        flushScheduled.set(false);
        if (isClosed()) return;
        try {
            boolean empty = flush(this);
            if (wantWrite == empty && !isClosed()) {
                wantWrite = !empty;
                updateInterest();
            }
        } catch (IOException e) {
            abort(e);
        }
    }

    @Override
    protected void outboundReady() {
        loop.scheduleFlush(flushScheduled, flushTask);
    }

    @Override
    protected void readInterestChanged() {
        if (loop.inLoop()) {
            updateInterest();
        } else {
            loop.execute(interestTask);
        }
        if (!readingPaused()) {
            // Bytes may already wait in the kernel; an edge-triggered poller would not report them again.
            loop.execute(readTask);
        }
    }

    private void updateInterest() {
        if (transportClosed || unwatched) return;
        int want = (eof || readingPaused() ? 0 : Poller.READ) | (wantWrite ? Poller.WRITE : 0);
        if (want == interest) return;
        interest = want;
        try {
            loop.poller().modify(fd, want);
        } catch (ErrnoException e) {
            abort(e);
        }
    }

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

    /** shutdown(SHUT_WR): the kernel sends its FIN after the bytes it holds; the descriptor stays ours. */
    @Override
    protected boolean shutdownOutput() {
        return !transportClosed && Libc.shutdown(fd, Libc.SHUT_WR) == 0;
    }

    @Override
    protected void closeTransport(boolean reset) {
        if (transportClosed) return;
        transportClosed = true;
        loop.forget(this);
        loop.io().close(fd, reset);
    }

    @Override
    public long write(ByteBuffer[] bufs, int count) throws IOException {
        long n = loop.io().write(fd, bufs, count);
        if (n < 0) throw new ErrnoException(count == 1 ? "send" : "writev", (int) -n);
        return n;
    }

    @Override
    public long transfer(FileChannel file, long position, long count) throws IOException {
        long n = loop.io().transfer(fd, file, position, count);
        if (n < 0) throw new ErrnoException("sendfile", (int) -n);
        return n;
    }

    /**
     * A short transfer filled the socket. A level-triggered poller reports writability for as long as it lasts, so
     * a transfer cut short by the file's end costs one more wake-up at most. An edge-triggered one reports it again
     * only after the socket filled (a short TCP send sets SOCK_NOSPACE, so freed space is reported): there a short
     * sendfile counts as filling only while the file holds bytes past it, else the flusher goes on to the 0 that
     * ends a shrunk file's transfer, instead of waiting for an edge that would not come.
     */
    @Override
    public boolean transferFilledSocket(FileChannel file, long next) throws IOException {
        return loop.io().transferShort() && (!loop.poller().edgeTriggered() || next < file.size());
    }
}
