package dev.polyserve.core.engine;

import dev.polyserve.core.Handler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A non-blocking {@link SocketChannel} served by an {@link EventLoop}: by a Selector ({@code nio}) or by
 * trying every socket in turn ({@code nonblocking}, where {@link #key} stays null).
 */
final class ChannelConn extends ConnBase implements ConnBase.Sink {
    final SocketChannel channel;
    private final EventLoop loop;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flushNow;
    private SelectionKey key;         // loop thread only
    private boolean eof;              // loop thread only
    private boolean wantWrite;        // loop thread only
    private boolean transferShort;    // loop thread only: the last transfer took fewer bytes than it offered

    ChannelConn(EngineContext ctx, Handler handler, SocketChannel channel, EventLoop loop) throws IOException {
        super(ctx, handler, channel.getRemoteAddress(), channel.getLocalAddress());
        this.channel = channel;
        this.loop = loop;
    }

    /** Attach the selection key (null for the busy-polling loop) and open. */
    void opened(SelectionKey key) {
        assert loop.inLoop();
        this.key = key;
        fireOpen();
    }

    @Override
    public Executor executor() {
        return loop;
    }

    /** Read once into {@code buf} and hand it to the handler. Returns bytes read (0 = none, -1 = EOF). */
    int readOnce(ByteBuffer buf) {
        assert loop.inLoop();
        if (eof || readingPaused() || isClosed()) {
            return 0;
        }
        int n;
        try {
            n = channel.read(buf);
        } catch (IOException e) {
            abort(e);
            return -1;
        }
        if (n > 0) {
            buf.flip();
            fireRead(buf);
            buf.clear();
        } else if (n < 0) {
            eof = true;
            updateInterest();
            fireReadEnd();
        }
        return n;
    }

    /** The socket can take bytes again. */
    void writable() {
        assert loop.inLoop();
        flushNow();
    }

    /** Whether output is waiting for the socket. */
    boolean wantsWrite() {
        assert loop.inLoop();
        return wantWrite;
    }

    private void flushNow() {
        flushScheduled.set(false);
        if (isClosed()) {
            return;
        }
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
    protected boolean inFlusher() {
        return loop.inLoop(); // the loop is this connection's only flusher
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
            loop.execute(this::updateInterest);
        }
    }

    private void updateInterest() {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = (eof || readingPaused() ? 0 : SelectionKey.OP_READ) | (wantWrite ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    @Override
    protected void closeTransport(boolean reset) {
        Sockets.close(channel, reset);
    }

    @Override
    public long write(ByteBuffer[] bufs, int count) throws IOException {
        return channel.write(bufs, 0, count);
    }

    @Override
    public long transfer(FileChannel file, long position, long count) throws IOException {
        // The JDK offers the kernel at most 0x7ffff000 bytes per sendfile; a socket buffer is far smaller.
        long n = file.transferTo(position, count, channel);
        transferShort = n > 0 && n < Math.min(count, SENDFILE_MAX);
        return n;
    }

    /** Most bytes one sendfile(2) moves on Linux, the JDK's cap per direct transfer there. */
    private static final long SENDFILE_MAX = 0x7ffff000L;

    /**
     * A short transfer filled the socket. Both loops here see writability level-triggered (the Selector reports
     * OP_WRITE for as long as the socket can take bytes; the nonblocking loop tries every socket in turn), so a
     * transfer cut short by the file's end costs one more wake-up at most, where the file's size is checked.
     */
    @Override
    public boolean transferFilledSocket(FileChannel file, long next) {
        return transferShort;
    }
}
