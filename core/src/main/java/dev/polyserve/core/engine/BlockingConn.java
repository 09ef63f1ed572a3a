package dev.polyserve.core.engine;

import dev.polyserve.core.Handler;
import dev.polyserve.core.MinimumRate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection on a blocking engine (iterative, threads, pool, virtual). Its own thread runs {@link #serve}:
 * blocking reads handed to the handler. Writes never block the caller: they queue, and a per-connection
 * writer thread, started at the first write, drains the queue with blocking writes. So a peer that does not
 * read stalls only its writer, until the queue limit aborts the connection. The writer is of the same kind as
 * the reader: a virtual thread must not write a socket its platform reader put in blocking mode, because a
 * blocking {@code sendfile} would then pin its carrier, and a few such writers would starve every other
 * virtual thread. For the same reason a virtual writer sends files by copying chunks, not with sendfile.
 *
 * <p>An idle connection costs little (issue #18): its blocking read waits with a small buffer of its own, and only
 * when a read fills it and more bytes are waiting does it borrow a large one from {@link ReadBufferPool}, for reads
 * that cannot block, giving it back before it waits again.
 */
final class BlockingConn extends ThreadedConn {
    /**
     * The buffer a connection waits for bytes with, its own for its whole life: 256 bytes, room for an echo line,
     * chat message or FTP command in a single read (and curl's HTTP request head); a read that fills it moves on
     * to a pooled {@link ReadBufferPool#BUFFER_SIZE} buffer while bytes keep waiting.
     */
    static final int WAIT_BUFFER = 256;
    /** File bytes a virtual writer copies per socket write: 64 KiB, the size of a loopback TCP segment burst. */
    static final int FILE_CHUNK = 64 * 1024;

    private final SocketChannel channel;
    private final boolean virtualWriter;
    private ByteBuffer fileChunk; // writer thread only; made at the first file sent by a virtual writer
    private final SerialExecutor serial;
    // Set once the socket is closed; the reader, done reading, parks until then (a flag and a park, not a latch: two
    // objects fewer per connection, issue #18).
    private volatile boolean transportClosed;
    private volatile Thread reader;
    private InputStream waiting; // reader thread only: asks the kernel how many bytes wait (FIONREAD); made at the first burst

    /**
     * @param writerThreads makes the writer thread, of the reader's kind (see above)
     * @param virtual whether the threads are virtual: the writer then ends whenever the queue is empty
     * @param taskThreads makes the serial context's short-lived virtual threads
     */
    BlockingConn(EngineContext ctx, Handler handler, SocketChannel channel, ThreadFactory writerThreads, boolean virtual,
                 ThreadFactory taskThreads) throws IOException {
        super(ctx, handler, channel.getRemoteAddress(), channel.getLocalAddress(), writerThreads, virtual);
        this.channel = channel;
        this.virtualWriter = virtual;
        this.serial = new SerialExecutor(taskThreads);
    }

    @Override
    public Executor executor() {
        return serial;
    }

    /** The connection's thread: open, read until EOF or close, then wait until the connection is closed. */
    void serve() {
        reader = Thread.currentThread();
        serial.runLocked(this::fireOpen);
        ByteBuffer buf = ByteBuffer.allocate(WAIT_BUFFER);
        try {
            while (!isClosed()) {
                awaitReadingAllowed();
                if (!isOpen()) {
                    break;
                }
                int n = channel.read(buf); // an idle connection waits here, holding only its small buffer
                if (n < 0) {
                    serial.runLocked(this::fireReadEnd);
                    break;
                }
                boolean filled = !buf.hasRemaining();
                deliver(buf);
                if (filled && isOpen() && !readingPaused()) {
                    readWaiting();
                }
            }
        } catch (IOException e) {
            abort(isClosed() ? null : e);
        } catch (OutOfMemoryError e) {
            // A blocking read of a heap buffer goes through a per-thread temporary direct buffer: with
            // -XX:MaxDirectMemorySize reached, this connection ends, the others go on.
            ctx.shortage("memory", "aborting connection from {}: {} while reading from it", remote(), e.getMessage());
            abort(new IOException(e.getMessage(), e));
        }
        while (!transportClosed) {
            LockSupport.park(this);
            if (Thread.currentThread().isInterrupted()) {
                abort(new InterruptedException("the reader of " + this + " was interrupted"));
                return;
            }
        }
    }

    private void deliver(ByteBuffer buf) {
        buf.flip();
        serial.runLocked(() -> fireRead(buf));
        buf.clear();
    }

    /**
     * After a read that filled the small buffer: while the kernel holds more bytes, read them into a pooled buffer
     * (such a read returns at once, it cannot wait), so a burst costs one read per
     * {@link ReadBufferPool#BUFFER_SIZE}, not per {@link #WAIT_BUFFER} bytes.
     */
    private void readWaiting() throws IOException {
        if (waiting == null) {
            waiting = channel.socket().getInputStream();
        }
        if (waiting.available() <= 0) {
            return;
        }
        ByteBuffer big = ReadBufferPool.take();
        try {
            do {
                if (channel.read(big) <= 0) {
                    return; // the main loop's next read sees the EOF (or the close)
                }
                deliver(big);
            } while (isOpen() && !readingPaused() && waiting.available() > 0);
        } finally {
            ReadBufferPool.give(big);
        }
    }

    @Override
    protected void closeTransport(boolean reset) {
        Sockets.close(channel, reset);
        transportClosed = true;
        Thread r = reader;
        if (r != null) LockSupport.unpark(r);
        wakeThreads();
    }

    /**
     * Most bytes one blocking write may carry while a send-rate watch is on. A blocking write reports its bytes
     * only when it returns, so a slow reader keeps the watch blind for as long as one write takes: half a window's
     * worth of the minimum rate lets a peer that keeps the rate finish a write within every window. Never below
     * 4 KiB (one page; smaller writes only cost system calls).
     */
    private long writeSlice() {
        MinimumRate rate = sendRate();
        return rate == null ? Long.MAX_VALUE : Math.max(4096, rate.bytesPerWindow() / 2);
    }

    @Override
    public long write(ByteBuffer[] bufs, int count) throws IOException {
        long slice = writeSlice();
        if (slice == Long.MAX_VALUE) {
            return channel.write(bufs, 0, count);
        }
        ByteBuffer b = bufs[0];
        int limit = b.limit();
        b.limit((int) Math.min(limit, b.position() + slice));
        try {
            return channel.write(b);
        } finally {
            b.limit(limit);
        }
    }

    @Override
    public long transfer(FileChannel file, long position, long count) throws IOException {
        count = Math.min(count, writeSlice());
        if (!virtualWriter) {
            return file.transferTo(position, count, channel);
        }
        // A virtual writer must not block in sendfile (it would pin its carrier): copy through a buffer instead,
        // whose socket write parks the virtual thread like any other blocking call.
        if (fileChunk == null) {
            fileChunk = ByteBuffer.allocateDirect(FILE_CHUNK);
        }
        fileChunk.clear().limit((int) Math.min(FILE_CHUNK, count));
        int n = file.read(fileChunk, position);
        if (n <= 0) {
            return 0;
        }
        fileChunk.flip();
        while (fileChunk.hasRemaining()) {
            channel.write(fileChunk);
        }
        return n;
    }
}
