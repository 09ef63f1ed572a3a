package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Socket set-up through libc: listening sockets, options, addresses. Not on the per-message path. */
final class Sockets {
    private Sockets() {}

    /**
     * A non-blocking, close-on-exec listening TCP socket bound to {@code address}, with SO_REUSEADDR (restart
     * without waiting out TIME_WAIT) and, if asked, SO_REUSEPORT (several processes share the port).
     */
    static int listen(InetSocketAddress address, int backlog, boolean reusePort) throws ErrnoException {
        return listen(address, backlog, reusePort, true);
    }

    /**
     * As {@link #listen(InetSocketAddress, int, boolean)}; {@code nonBlocking} false suits io_uring, which makes
     * its own non-blocking attempts and waits in the kernel.
     */
    static int listen(InetSocketAddress address, int backlog, boolean reusePort, boolean nonBlocking) throws ErrnoException {
        int fd = Libc.check("socket", Libc.socket(SockAddr.family(address),
                Libc.SOCK_STREAM | (nonBlocking ? Libc.SOCK_NONBLOCK : 0) | Libc.SOCK_CLOEXEC, 0));
        try (Arena arena = Arena.ofConfined()) {
            setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)");
            if (reusePort) setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEPORT, 1, "setsockopt(SO_REUSEPORT)");
            MemorySegment sa = arena.allocate(SockAddr.STORAGE, 8);
            int len = SockAddr.encode(address, sa);
            Libc.check("bind " + address, Libc.bind(fd, sa.address(), len));
            Libc.check("listen", Libc.listen(fd, backlog));
            return fd;
        } catch (ErrnoException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    static void setInt(int fd, int level, int name, int value, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            Libc.check(what, Libc.setsockopt(fd, level, name, v.address(), 4));
        }
    }

    static int getInt(int fd, int level, int name, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            Libc.check(what, Libc.getsockopt(fd, level, name, v.address(), len.address()));
            return v.get(JAVA_INT, 0);
        }
    }

    /** The address a socket is bound to (the real port after binding port 0). */
    static InetSocketAddress localAddress(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE, 8);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, SockAddr.STORAGE);
            Libc.check("getsockname", Libc.getsockname(fd, sa.address(), len.address()));
            return SockAddr.decode(sa);
        }
    }

    /** Disables Nagle's algorithm: an echo or chat line goes out now, not after the peer's delayed ACK. */
    static void noDelay(int fd) throws ErrnoException {
        setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)");
    }
}
