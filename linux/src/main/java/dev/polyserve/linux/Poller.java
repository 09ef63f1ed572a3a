package dev.polyserve.linux;

/**
 * A readiness multiplexer owned by one loop thread: select(2), poll(2) or epoll(7). The loop tells it which
 * descriptors it wants to read or write, waits, then walks the ready list. Results are plain ints, so a wait
 * allocates nothing.
 */
sealed interface Poller extends AutoCloseable permits ScanningPoller, EpollPoller {
    int READ = 1;
    int WRITE = 2;
    /** The peer hung up or the socket has an error (poll's POLLHUP/POLLERR, epoll's EPOLLHUP/EPOLLERR). */
    int HANGUP = 4;
    /**
     * The peer closed its side or the socket has an error (epoll's EPOLLRDHUP/EPOLLHUP/EPOLLERR), reported with
     * {@link #READ}: an EOF waits behind the bytes, so an edge-triggered reader must read on to it.
     */
    int PEER_CLOSED = 8;

    /**
     * Starts watching {@code fd} for {@code interest} ({@link #READ}, {@link #WRITE}, both or neither).
     *
     * @throws ErrnoException when the kernel refuses the descriptor
     * @throws FdLimitException when the mechanism cannot represent it (select's FD_SETSIZE)
     */
    void add(int fd, int interest) throws ErrnoException, FdLimitException;

    /** Changes what {@code fd} is watched for. Edge-triggered pollers ignore this: they always watch both. */
    void modify(int fd, int interest) throws ErrnoException;

    /** Stops watching {@code fd}; call before closing it. */
    void remove(int fd);

    /**
     * Waits up to {@code timeoutMillis} (-1: no limit) for readiness and returns how many descriptors are
     * ready (0 on time-out or when a signal interrupted the wait).
     */
    int await(int timeoutMillis) throws ErrnoException;

    /** The {@code i}-th ready descriptor of the last {@link #await}. */
    int readyFd(int i);

    /**
     * What the {@code i}-th ready descriptor can do: {@link #READ} and/or {@link #WRITE}. Errors and hang-ups
     * report both plus {@link #HANGUP}, so the loop meets the error or EOF through its next read or write.
     */
    int readyOps(int i);

    /** True when readiness is reported once per change (epoll's EPOLLET): the loop must drain to EAGAIN. */
    default boolean edgeTriggered() {
        return false;
    }

    /** The system call's name, for log lines. */
    String mechanism();

    @Override
    void close();

    /** A descriptor the mechanism cannot watch at all, e.g. one at or above select's FD_SETSIZE. */
    final class FdLimitException extends Exception {
        FdLimitException(String message) {
            super(message);
        }
    }
}
