package dev.polyserve.linux;

import java.util.Arrays;

/**
 * The ready list of the pollers that find ready descriptors by scanning what the kernel handed back (select's
 * fd_sets, poll's pollfd array): descriptors and their operations in two int arrays, refilled by each wait, so a
 * wait allocates nothing. epoll needs none: the kernel fills its event array with the ready ones only.
 */
abstract sealed class ScanningPoller implements Poller permits SelectPoller, PollPoller {
    private int[] readyFds;
    private int[] readyOps;

    ScanningPoller(int capacity) {
        readyFds = new int[capacity];
        readyOps = new int[capacity];
    }

    /** Makes room for {@code n} ready descriptors before a scan; grows only past the most ever seen. */
    final void ensureReady(int n) {
        if (readyFds.length < n) {
            int size = Math.max(n, readyFds.length * 2);
            readyFds = Arrays.copyOf(readyFds, size);
            readyOps = Arrays.copyOf(readyOps, size);
        }
    }

    /** Records the {@code i}-th ready descriptor of this wait. */
    final void ready(int i, int fd, int ops) {
        readyFds[i] = fd;
        readyOps[i] = ops;
    }

    @Override
    public final int readyFd(int i) {
        return readyFds[i];
    }

    @Override
    public final int readyOps(int i) {
        return readyOps[i];
    }
}
