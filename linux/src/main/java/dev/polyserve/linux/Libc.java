package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls polyserve's Linux engines make, as FFM downcalls. No JNI, no C compiler.
 *
 * <p>Conventions, chosen for the hot path: pointers are passed as raw {@code long} addresses of memory the
 * caller keeps alive (so no {@link MemorySegment} objects are made per call), and each wrapper returns the
 * call's result, or {@code -errno} when it failed. errno is captured by the linker
 * ({@link Linker.Option#captureCallState}) into a per-thread segment, because the JVM may itself make C calls
 * between ours and overwrite errno. {@link #check} turns a negative result into an {@link ErrnoException}.
 *
 * <p>Touch this class only on Linux: {@link LinuxEngineProvider} checks the OS first.
 */
@SuppressWarnings("restricted") // native access is this class's purpose; the launcher enables it
final class Libc {
    // <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h> on Linux (asm-generic values, same on x86-64 and arm64).
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_ERROR = 4;
    static final int SO_LINGER = 13;
    static final int SO_REUSEPORT = 15;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    static final int SHUT_RD = 0;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;
    /** Report EPIPE instead of raising SIGPIPE when the peer has gone. */
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_DONTWAIT = 0x40;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 0x800;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    // <linux/sockios.h>: bytes in a TCP socket's send queue the peer has not acknowledged (same as TIOCOUTQ).
    static final long SIOCOUTQ = 0x5411;
    // <poll.h>
    static final short POLLIN = 0x001;
    static final short POLLOUT = 0x004;
    static final short POLLERR = 0x008;
    static final short POLLHUP = 0x010;
    static final short POLLNVAL = 0x020;
    // <sys/epoll.h>
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    /** Wake one waiter, not all, when several epoll instances watch the same listening socket. */
    static final int EPOLLEXCLUSIVE = 1 << 28;
    static final int EPOLLET = 1 << 31;
    // <sys/mman.h>
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_POPULATE = 0x8000;
    static final long MAP_FAILED = -1L;
    // io_uring system call numbers: the unified table (x86-64 and arm64 agree since Linux 5.1).
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** One capture segment per thread: loops are long-lived platform threads, so this is allocated once each. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle SOCKET = errnoFn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = errnoFn("bind", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle LISTEN = errnoFn("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle ACCEPT4 = errnoFn("accept4", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = errnoFn("getsockname", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle GETPEERNAME = errnoFn("getpeername", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle READ = errnoFn("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle WRITE = errnoFn("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle RECV = errnoFn("recv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND = errnoFn("send", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle WRITEV = errnoFn("writev", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle CLOSE = errnoFn("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle SHUTDOWN = errnoFn("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            errnoFn("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle GETSOCKOPT =
            errnoFn("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle FCNTL = LINKER.downcallHandle(symbol("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(symbol("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** ioctl's int result, per thread (the send-rate watch asks from the timer thread). */
    private static final ThreadLocal<MemorySegment> IOCTL_INT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_INT));
    private static final MethodHandle SENDFILE = errnoFn("sendfile", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle EVENTFD = errnoFn("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SELECT =
            errnoFn("select", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle POLL = errnoFn("poll", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle EPOLL_CREATE1 = errnoFn("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CTL = errnoFn("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle EPOLL_WAIT = errnoFn("epoll_wait", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle MMAP =
            errnoFn("mmap", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle MUNMAP = errnoFn("munmap", JAVA_INT, JAVA_LONG, JAVA_LONG);
    /** syscall(2) with two, four and six arguments; variadic, so every argument is passed as a full long. */
    private static final MethodHandle SYSCALL2 = syscallFn(2);
    private static final MethodHandle SYSCALL4 = syscallFn(4);
    private static final MethodHandle SYSCALL6 = syscallFn(6);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(symbol("strerror"),
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(1024, ValueLayout.JAVA_BYTE)), JAVA_INT));

    private Libc() {}

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle errnoFn(String name, ValueLayout result, ValueLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), CAPTURE_ERRNO);
    }

    private static MethodHandle syscallFn(int argc) {
        ValueLayout[] args = new ValueLayout[argc + 1];
        java.util.Arrays.fill(args, JAVA_LONG);
        return LINKER.downcallHandle(symbol("syscall"), FunctionDescriptor.of(JAVA_LONG, args),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    private static MemorySegment capture() {
        return CAPTURE.get();
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static int ret(MemorySegment capture, int r) {
        return r < 0 ? -errno(capture) : r;
    }

    private static long ret(MemorySegment capture, long r) {
        return r < 0 ? -errno(capture) : r;
    }

    private static AssertionError linkageBroke(Throwable t) {
        return new AssertionError("FFM downcall failed to link or run", t);
    }

    /** Returns {@code r} when it is not negative, else throws the errno it encodes, naming {@code call}. */
    static int check(String call, int r) throws ErrnoException {
        if (r < 0) throw new ErrnoException(call, -r);
        return r;
    }

    static long check(String call, long r) throws ErrnoException {
        if (r < 0) throw new ErrnoException(call, (int) -r);
        return r;
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "unknown error" : s.getString(0);
        } catch (Throwable t) {
            throw linkageBroke(t);
        }
    }

    static int socket(int domain, int type, int protocol) {
        MemorySegment c = capture();
        try { return ret(c, (int) SOCKET.invokeExact(c, domain, type, protocol)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int bind(int fd, long addr, int len) {
        MemorySegment c = capture();
        try { return ret(c, (int) BIND.invokeExact(c, fd, addr, len)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int listen(int fd, int backlog) {
        MemorySegment c = capture();
        try { return ret(c, (int) LISTEN.invokeExact(c, fd, backlog)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    /** accept4(2); {@code addr}/{@code lenPtr} may be 0 when the peer's address is not wanted. */
    static int accept4(int fd, long addr, long lenPtr, int flags) {
        MemorySegment c = capture();
        try { return ret(c, (int) ACCEPT4.invokeExact(c, fd, addr, lenPtr, flags)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int getsockname(int fd, long addr, long lenPtr) {
        MemorySegment c = capture();
        try { return ret(c, (int) GETSOCKNAME.invokeExact(c, fd, addr, lenPtr)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int getpeername(int fd, long addr, long lenPtr) {
        MemorySegment c = capture();
        try { return ret(c, (int) GETPEERNAME.invokeExact(c, fd, addr, lenPtr)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static long read(int fd, long buf, long len) {
        MemorySegment c = capture();
        try { return ret(c, (long) READ.invokeExact(c, fd, buf, len)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static long write(int fd, long buf, long len) {
        MemorySegment c = capture();
        try { return ret(c, (long) WRITE.invokeExact(c, fd, buf, len)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static long recv(int fd, long buf, long len, int flags) {
        MemorySegment c = capture();
        try { return ret(c, (long) RECV.invokeExact(c, fd, buf, len, flags)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static long send(int fd, long buf, long len, int flags) {
        MemorySegment c = capture();
        try { return ret(c, (long) SEND.invokeExact(c, fd, buf, len, flags)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    /** writev(2) over {@code count} {@code struct iovec}s at {@code iov}. */
    static long writev(int fd, long iov, int count) {
        MemorySegment c = capture();
        try { return ret(c, (long) WRITEV.invokeExact(c, fd, iov, count)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int close(int fd) {
        MemorySegment c = capture();
        try { return ret(c, (int) CLOSE.invokeExact(c, fd)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int shutdown(int fd, int how) {
        MemorySegment c = capture();
        try { return ret(c, (int) SHUTDOWN.invokeExact(c, fd, how)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int setsockopt(int fd, int level, int name, long value, int len) {
        MemorySegment c = capture();
        try { return ret(c, (int) SETSOCKOPT.invokeExact(c, fd, level, name, value, len)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        MemorySegment c = capture();
        try { return ret(c, (int) GETSOCKOPT.invokeExact(c, fd, level, name, value, lenPtr)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    /** fcntl(2) with an int argument (F_GETFL ignores it, F_SETFL takes the flags). */
    static int fcntl(int fd, int cmd, int arg) {
        MemorySegment c = capture();
        try { return ret(c, (int) FCNTL.invokeExact(c, fd, cmd, arg)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    /** sendfile(2): {@code offsetPtr} points at an off_t the kernel reads and advances. */
    /** ioctl(fd, request, &int): the int the kernel wrote, or -errno. */
    static int ioctlInt(int fd, long request) {
        MemorySegment c = capture();
        MemorySegment out = IOCTL_INT.get();
        try {
            int r = ret(c, (int) IOCTL.invokeExact(c, fd, request, out.address()));
            return r < 0 ? r : out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw linkageBroke(t);
        }
    }

    static long sendfile(int outFd, int inFd, long offsetPtr, long count) {
        MemorySegment c = capture();
        try { return ret(c, (long) SENDFILE.invokeExact(c, outFd, inFd, offsetPtr, count)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int eventfd(int initval, int flags) {
        MemorySegment c = capture();
        try { return ret(c, (int) EVENTFD.invokeExact(c, initval, flags)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int select(int nfds, long readfds, long writefds, long exceptfds, long timeval) {
        MemorySegment c = capture();
        try { return ret(c, (int) SELECT.invokeExact(c, nfds, readfds, writefds, exceptfds, timeval)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int poll(long fds, long nfds, int timeoutMillis) {
        MemorySegment c = capture();
        try { return ret(c, (int) POLL.invokeExact(c, fds, nfds, timeoutMillis)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int epollCreate1(int flags) {
        MemorySegment c = capture();
        try { return ret(c, (int) EPOLL_CREATE1.invokeExact(c, flags)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int epollCtl(int epfd, int op, int fd, long event) {
        MemorySegment c = capture();
        try { return ret(c, (int) EPOLL_CTL.invokeExact(c, epfd, op, fd, event)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static int epollWait(int epfd, long events, int max, int timeoutMillis) {
        MemorySegment c = capture();
        try { return ret(c, (int) EPOLL_WAIT.invokeExact(c, epfd, events, max, timeoutMillis)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    /** mmap(2); returns the address, or {@code -errno} (MAP_FAILED is turned into the errno). */
    static long mmap(long addr, long len, int prot, int flags, int fd, long offset) {
        MemorySegment c = capture();
        try {
            long r = (long) MMAP.invokeExact(c, addr, len, prot, flags, fd, offset);
            return r == MAP_FAILED ? -errno(c) : r;
        } catch (Throwable t) {
            throw linkageBroke(t);
        }
    }

    static int munmap(long addr, long len) {
        MemorySegment c = capture();
        try { return ret(c, (int) MUNMAP.invokeExact(c, addr, len)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static long syscall(long nr, long a, long b) {
        MemorySegment c = capture();
        try { return ret(c, (long) SYSCALL2.invokeExact(c, nr, a, b)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static long syscall(long nr, long a, long b, long d, long e) {
        MemorySegment c = capture();
        try { return ret(c, (long) SYSCALL4.invokeExact(c, nr, a, b, d, e)); } catch (Throwable t) { throw linkageBroke(t); }
    }

    static long syscall(long nr, long a, long b, long d, long e, long f, long g) {
        MemorySegment c = capture();
        try { return ret(c, (long) SYSCALL6.invokeExact(c, nr, a, b, d, e, f, g)); } catch (Throwable t) { throw linkageBroke(t); }
    }
}
