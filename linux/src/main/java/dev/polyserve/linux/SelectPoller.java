package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * select(2): the caller's interest lives in two master fd_sets; each wait copies them into working sets
 * (select overwrites its arguments) and scans the result word by word. O(highest descriptor) per call and
 * limited to descriptors below {@link FdSet#FD_SETSIZE}: the course's point about select, kept visible.
 */
@SuppressWarnings("restricted") // native access is this class's purpose; the launcher enables it
final class SelectPoller extends ScanningPoller {
    /** GC-managed: a connection may still deregister after the loop closed this poller. */
    private final Arena arena = Arena.ofAuto();
    private final FdSet readInterest = new FdSet(arena);
    private final FdSet writeInterest = new FdSet(arena);
    private final FdSet readReady = new FdSet(arena);
    private final FdSet writeReady = new FdSet(arena);
    private final MemorySegment readWords = MemorySegment.ofAddress(readReady.address()).reinterpret(FdSet.BYTES);
    private final MemorySegment writeWords = MemorySegment.ofAddress(writeReady.address()).reinterpret(FdSet.BYTES);
    /** struct timeval { long tv_sec; long tv_usec; }. */
    private final MemorySegment timeval = arena.allocate(16, 8);
    private final boolean[] watched = new boolean[FdSet.FD_SETSIZE];
    private int maxFd = -1;

    /** Every descriptor select can watch may be ready at once: the list never grows. */
    SelectPoller() {
        super(FdSet.FD_SETSIZE);
    }

    @Override
    public void add(int fd, int interest) throws FdLimitException {
        if (!FdSet.fits(fd)) {
            throw new FdLimitException("descriptor " + fd + " is at or above select's FD_SETSIZE limit of "
                    + FdSet.FD_SETSIZE + " and cannot be watched");
        }
        watched[fd] = true;
        maxFd = Math.max(maxFd, fd);
        modify(fd, interest);
    }

    @Override
    public void modify(int fd, int interest) {
        if ((interest & READ) != 0) readInterest.set(fd); else readInterest.clear(fd);
        if ((interest & WRITE) != 0) writeInterest.set(fd); else writeInterest.clear(fd);
    }

    @Override
    public void remove(int fd) {
        if (!FdSet.fits(fd) || !watched[fd]) return;
        watched[fd] = false;
        readInterest.clear(fd);
        writeInterest.clear(fd);
        while (maxFd >= 0 && !watched[maxFd]) maxFd--;
    }

    @Override
    public int await(int timeoutMillis) throws ErrnoException {
        readReady.copyFrom(readInterest);
        writeReady.copyFrom(writeInterest);
        long tv = 0;
        if (timeoutMillis >= 0) {
            timeval.set(JAVA_LONG, 0, timeoutMillis / 1000);
            timeval.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1000L);
            tv = timeval.address();
        }
        int n = Libc.select(maxFd + 1, readReady.address(), writeReady.address(), 0, tv);
        if (n == -Errno.EINTR) return 0;
        Libc.check("select", n);
        int count = 0;
        int words = maxFd < 0 ? 0 : (maxFd >>> 6) + 1;
        for (int w = 0; w < words; w++) {
            long r = readWords.get(JAVA_LONG, w * 8L);
            long wr = writeWords.get(JAVA_LONG, w * 8L);
            long any = r | wr;
            while (any != 0) {
                int bit = Long.numberOfTrailingZeros(any);
                long mask = 1L << bit;
                any &= ~mask;
                ready(count++, (w << 6) | bit, ((r & mask) != 0 ? READ : 0) | ((wr & mask) != 0 ? WRITE : 0));
            }
        }
        return count;
    }

    @Override
    public String mechanism() {
        return "select";
    }

    @Override
    public void close() {}
}
