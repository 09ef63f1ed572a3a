package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An eventfd(2) used as a loop's doorbell: any thread {@link #signal}s it, the loop watches it for reading and
 * {@link #drain}s it. A counter, not a pipe, so a thousand signals cost one wake-up and never fill a buffer.
 */
final class EventFd implements AutoCloseable {
    /** The 8-byte value 1 that signal() writes; shared and never modified, so safe from every thread. */
    private static final MemorySegment ONE = Arena.global().allocate(JAVA_LONG);

    static {
        ONE.set(JAVA_LONG, 0, 1L);
    }

    private final int fd;
    private volatile boolean closed;
    private final MemorySegment sink = Arena.ofAuto().allocate(JAVA_LONG);

    EventFd() throws ErrnoException {
        fd = Libc.check("eventfd", Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC));
    }

    int fd() {
        return fd;
    }

    /** Adds one to the counter, waking the watcher. Any thread. */
    void signal() {
        if (closed) return; // the number may have been reused: never write into someone else's descriptor
        // EAGAIN only when the counter would overflow 2^64-2, in which case a wake-up is pending anyway.
        Libc.write(fd, ONE.address(), 8);
    }

    /** Resets the counter; the loop thread only. */
    void drain() {
        Libc.read(fd, sink.address(), 8);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
