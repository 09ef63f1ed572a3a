package dev.polyserve.linux;

import java.util.Arrays;

/**
 * poll(2): a dense pollfd array plus an index by descriptor (the course's fdmap), so add, modify and remove are
 * O(1) and there is no FD_SETSIZE ceiling. Each wait still hands the kernel the whole array: O(n) per call.
 */
final class PollPoller extends ScanningPoller {
    private final PollFds fds = new PollFds();
    /** indexByFd[fd] = position in {@link #fds}, or -1. Grows to the highest descriptor seen. */
    private int[] indexByFd = filled(new int[256]);
    /** Ready descriptors a wait is first sized for; more grow the list. */
    private static final int INITIAL_READY = 64;

    PollPoller() {
        super(INITIAL_READY);
    }

    private static int[] filled(int[] a) {
        Arrays.fill(a, -1);
        return a;
    }

    private static short events(int interest) {
        return (short) (((interest & READ) != 0 ? Libc.POLLIN : 0) | ((interest & WRITE) != 0 ? Libc.POLLOUT : 0));
    }

    @Override
    public void add(int fd, int interest) {
        if (fd >= indexByFd.length) {
            int old = indexByFd.length;
            indexByFd = Arrays.copyOf(indexByFd, Math.max(fd + 1, old * 2));
            Arrays.fill(indexByFd, old, indexByFd.length, -1);
        }
        if (indexByFd[fd] >= 0) throw new IllegalStateException("descriptor " + fd + " is already watched");
        indexByFd[fd] = fds.add(fd, events(interest));
    }

    @Override
    public void modify(int fd, int interest) {
        fds.events(indexByFd[fd], events(interest));
    }

    @Override
    public void remove(int fd) {
        if (fd < 0 || fd >= indexByFd.length || indexByFd[fd] < 0) return;
        int i = indexByFd[fd];
        indexByFd[fd] = -1;
        int moved = fds.remove(i);
        if (moved >= 0) indexByFd[moved] = i;
    }

    @Override
    public int await(int timeoutMillis) throws ErrnoException {
        int n = Libc.poll(fds.address(), fds.size(), timeoutMillis);
        if (n == -Errno.EINTR) return 0;
        Libc.check("poll", n);
        ensureReady(n);
        int count = 0;
        for (int i = 0, size = fds.size(); i < size && count < n; i++) {
            short re = fds.revents(i);
            if (re == 0) continue;
            int ops = 0;
            if ((re & (Libc.POLLIN | Libc.POLLHUP | Libc.POLLERR | Libc.POLLNVAL)) != 0) ops |= READ;
            if ((re & (Libc.POLLOUT | Libc.POLLHUP | Libc.POLLERR | Libc.POLLNVAL)) != 0) ops |= WRITE;
            if ((re & (Libc.POLLHUP | Libc.POLLERR | Libc.POLLNVAL)) != 0) ops |= HANGUP;
            ready(count++, fds.fd(i), ops);
        }
        return count;
    }

    @Override
    public String mechanism() {
        return "poll";
    }

    @Override
    public void close() {}
}
