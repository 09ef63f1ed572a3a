package dev.polyserve.linux;

import java.lang.foreign.Arena;

/**
 * epoll(7): interest lives in the kernel (epoll_ctl), a wait returns only ready descriptors, O(ready) per call.
 * Level-triggered mode reports a descriptor for as long as it is ready, so the loop only asks for EPOLLOUT while
 * it has bytes queued. Edge-triggered mode (EPOLLET, the course's 边缘触发) registers read and write interest once
 * and reports each change once, so the loop must read and write until EAGAIN.
 */
final class EpollPoller implements Poller {
    /** Ready events taken per epoll_wait; more stay queued in the kernel for the next call. */
    static final int MAX_EVENTS = 1024;

    /** GC-managed: a connection may still deregister after the loop closed this poller. */
    private final Arena arena = Arena.ofAuto();
    private final int epfd;
    private final boolean edge;
    private boolean closed;
    private final EpollEvents ready = new EpollEvents(arena, MAX_EVENTS);
    private final EpollEvents ctl = new EpollEvents(arena, 1);

    EpollPoller(boolean edgeTriggered) throws ErrnoException {
        this.edge = edgeTriggered;
        this.epfd = Libc.check("epoll_create1", Libc.epollCreate1(Libc.EPOLL_CLOEXEC));
    }

    private int events(int interest) {
        if (edge) return Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;
        return ((interest & READ) != 0 ? Libc.EPOLLIN | Libc.EPOLLRDHUP : 0) | ((interest & WRITE) != 0 ? Libc.EPOLLOUT : 0);
    }

    @Override
    public void add(int fd, int interest) throws ErrnoException {
        ctl.set(0, events(interest), fd);
        Libc.check("epoll_ctl(ADD)", Libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, fd, ctl.address()));
    }

    /**
     * Watches a listening socket shared by several loops: EPOLLEXCLUSIVE wakes one loop per connection instead of
     * all of them (the thundering herd).
     */
    void addShared(int fd) throws ErrnoException {
        ctl.set(0, Libc.EPOLLIN | Libc.EPOLLEXCLUSIVE | (edge ? Libc.EPOLLET : 0), fd);
        Libc.check("epoll_ctl(ADD)", Libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, fd, ctl.address()));
    }

    @Override
    public void modify(int fd, int interest) throws ErrnoException {
        if (edge) return;
        ctl.set(0, events(interest), fd);
        Libc.check("epoll_ctl(MOD)", Libc.epollCtl(epfd, Libc.EPOLL_CTL_MOD, fd, ctl.address()));
    }

    @Override
    public void remove(int fd) {
        if (closed) return; // the descriptor number may belong to someone else now
        // Since Linux 2.6.9 the event argument may be NULL for EPOLL_CTL_DEL.
        Libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, fd, 0);
    }

    @Override
    public int await(int timeoutMillis) throws ErrnoException {
        int n = Libc.epollWait(epfd, ready.address(), MAX_EVENTS, timeoutMillis);
        if (n == -Errno.EINTR) return 0;
        return Libc.check("epoll_wait", n);
    }

    @Override
    public int readyFd(int i) {
        return (int) ready.data(i);
    }

    @Override
    public int readyOps(int i) {
        int e = ready.events(i);
        int ops = 0;
        if ((e & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) ops |= READ;
        if ((e & (Libc.EPOLLOUT | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) ops |= WRITE;
        if ((e & (Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) ops |= HANGUP;
        if ((e & (Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) ops |= PEER_CLOSED;
        return ops;
    }

    @Override
    public boolean edgeTriggered() {
        return edge;
    }

    @Override
    public String mechanism() {
        return edge ? "epoll (edge-triggered)" : "epoll";
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.close(epfd);
    }
}
