package dev.polyserve.core.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The large read buffers of the blocking engines, shared by every connection in the process. A connection borrows
 * one only while bytes are waiting in its socket and gives it back before its next read that could block, so an
 * idle connection holds none (issue #18: a 16 KiB buffer per parked virtual thread was 80% of its heap).
 */
final class ReadBufferPool {
    /**
     * Size of a pooled buffer: 64 KiB, the non-blocking engines' read size. Pooled buffers are direct: a read into a
     * heap buffer goes through the JDK's temporary direct buffer, and a handler writing the bytes on (an FTP upload
     * into its file) would copy them once more through another; 64 KiB reads quarter the system calls of a bulk
     * upload against 16 KiB ones.
     */
    static final int BUFFER_SIZE = 64 * 1024;
    /**
     * Buffers kept for reuse: 64 (4 MiB of direct memory). A buffer is out only while its reader copies bytes the kernel already
     * holds and the handler consumes them, so about one per carrier thread is in use at a time; beyond the bound a
     * borrower gets a fresh buffer and the one given back past it is left to the collector.
     */
    static final int KEPT = 64;

    private static final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(KEPT);

    private ReadBufferPool() {}

    /** A cleared direct buffer of {@link #BUFFER_SIZE} bytes, pooled or new. */
    static ByteBuffer take() {
        ByteBuffer b = free.poll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(BUFFER_SIZE);
    }

    /** Gives {@code b} back; the caller must not touch it afterwards. */
    static void give(ByteBuffer b) {
        free.offer(b);
    }
}
