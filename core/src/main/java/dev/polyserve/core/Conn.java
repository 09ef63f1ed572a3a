package dev.polyserve.core;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

/**
 * One connection as a handler sees it. Every method is safe to call from any thread unless it says otherwise.
 */
public interface Conn {

    /**
     * Queues {@code out} (position to limit) for sending and returns without blocking. The connection takes
     * ownership of the buffer: do not touch it afterwards. If the queued bytes exceed the server's write queue
     * limit, the connection is aborted with a logged reason (a slow reader never stalls anyone else).
     */
    void write(ByteBuffer out);

    /**
     * Queues {@code count} bytes of {@code file} from {@code position}, in order with {@link #write}; zero-copy
     * where the engine can. The connection takes ownership of the channel and closes it when done or closed.
     * File bytes do not count against the write queue limit.
     */
    void sendFile(FileChannel file, long position, long count);

    /** Bytes written but not yet handed to the kernel (file segments excluded). Any thread. */
    long queuedBytes();

    /**
     * Bytes handed to the kernel that the peer has not acknowledged yet (Linux's SIOCOUTQ), or -1 where the engine
     * cannot tell (the JDK engines). A response the socket's send buffer took whole is still on its way while this is
     * above zero. Any thread.
     */
    default long unacknowledgedBytes() {
        return -1;
    }

    /**
     * From now on, aborts the connection when output waits on the peer for a whole {@link MinimumRate#window()} and
     * the peer takes fewer than {@link MinimumRate#bytesPerWindow()} bytes of it meanwhile (a slow-read attack, or a
     * client that stopped reading), with one log line rate-limited per peer: between one window and 1.25 windows
     * after the output began to wait. Where the engine can ask the kernel (Linux engines), output in the socket's
     * send buffer that the peer has not acknowledged counts as waiting. It keeps watching while a {@link #close}
     * flushes. Null stops the watch. Any thread.
     */
    void requireSendRate(MinimumRate rate);

    /** Stops calling {@link Handler#onRead} until {@link #resumeReading}; bytes wait in the kernel. Any thread. */
    void pauseReading();

    /** Undoes {@link #pauseReading}. Any thread. */
    void resumeReading();

    /** Closes after every queued byte is flushed; further writes are dropped. Any thread, idempotent. */
    void close();

    /** Closes now, dropping queued bytes (a TCP reset where the engine can). Any thread, idempotent. */
    void abort();

    /** False once {@link #close} or {@link #abort} was called or the peer went away. */
    boolean isOpen();

    /** Runs tasks serialised with this connection's handler calls (its own thread or loop). */
    Executor executor();

    /** Runs {@code task} through {@link #executor()} after {@code delay}; cancelled automatically on close. */
    ScheduledFuture<?> schedule(Duration delay, Runnable task);

    /** The peer's address. */
    SocketAddress remote();

    /** This side's address. */
    SocketAddress local();

    /** The name of the engine serving this connection (e.g. {@code "nio"}), for logs and metrics. */
    String model();
}
