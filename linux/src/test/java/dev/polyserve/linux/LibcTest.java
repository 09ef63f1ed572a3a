package dev.polyserve.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SuppressWarnings("restricted") // the tests call and inspect native memory directly
class LibcTest {

    @Test
    void errnoIsCapturedAndNamed() {
        int r = Libc.close(-1);
        assertThat(r).isEqualTo(-Errno.EBADF);
        assertThatThrownBy(() -> Libc.check("close", r))
                .isInstanceOf(ErrnoException.class)
                .hasMessage("close: EBADF (Bad file descriptor)");
    }

    @Test
    void bindingAPortInUseNamesEaddrinuse() throws Exception {
        int fd = Sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, false);
        try {
            InetSocketAddress bound = Sockets.localAddress(fd);
            assertThat(bound.getPort()).isPositive();
            assertThatThrownBy(() -> Sockets.listen(bound, 16, false))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessageContaining("EADDRINUSE")
                    .hasMessageContaining("Address already in use");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void acceptSendRecvOverLoopback() throws Exception {
        int lfd = Sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, false);
        try (Arena arena = Arena.ofConfined();
             Socket client = new Socket(InetAddress.getLoopbackAddress(), Sockets.localAddress(lfd).getPort())) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE, 8);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, SockAddr.STORAGE);
            int cfd = acceptBlocking(lfd, sa, len);
            try {
                assertThat(SockAddr.decode(sa)).isEqualTo(client.getLocalSocketAddress());
                MemorySegment buf = arena.allocate(64);
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                long n = recvBlocking(cfd, buf);
                assertThat(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                        .asString(StandardCharsets.US_ASCII).isEqualTo("ping");
                MemorySegment out = arena.allocateFrom("pong");
                assertThat(Libc.send(cfd, out.address(), 4, Libc.MSG_NOSIGNAL)).isEqualTo(4);
                assertThat(client.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("pong");
            } finally {
                Libc.close(cfd);
            }
        } finally {
            Libc.close(lfd);
        }
    }

    @Test
    void sendfileCopiesAFileRangeToASocket(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("f.txt");
        Files.writeString(file, "0123456789abcdef");
        int lfd = Sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, false);
        try (Arena arena = Arena.ofConfined();
             Socket client = new Socket(InetAddress.getLoopbackAddress(), Sockets.localAddress(lfd).getPort());
             java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            int cfd = acceptBlocking(lfd, MemorySegment.NULL, MemorySegment.NULL);
            try {
                int inFd = FileDescriptors.of(ch).orElseThrow();
                MemorySegment off = arena.allocate(JAVA_LONG);
                off.set(JAVA_LONG, 0, 10);
                assertThat(Libc.sendfile(cfd, inFd, off.address(), 6)).isEqualTo(6);
                assertThat(off.get(JAVA_LONG, 0)).isEqualTo(16);
                assertThat(client.getInputStream().readNBytes(6)).asString(StandardCharsets.US_ASCII).isEqualTo("abcdef");
            } finally {
                Libc.close(cfd);
            }
        } finally {
            Libc.close(lfd);
        }
    }

    @Test
    void fcntlReadsNonBlockingFlag() throws Exception {
        try (EventFd e = new EventFd()) {
            int flags = Libc.check("fcntl", Libc.fcntl(e.fd(), Libc.F_GETFL, 0));
            assertThat(flags & Libc.O_NONBLOCK).isNotZero();
            Libc.check("fcntl", Libc.fcntl(e.fd(), Libc.F_SETFL, flags & ~Libc.O_NONBLOCK));
            assertThat(Libc.fcntl(e.fd(), Libc.F_GETFL, 0) & Libc.O_NONBLOCK).isZero();
        }
    }

    @Test
    void epollReportsEventfdWithItsData() throws Exception {
        try (Arena arena = Arena.ofConfined(); EventFd e = new EventFd()) {
            int ep = Libc.check("epoll_create1", Libc.epollCreate1(Libc.EPOLL_CLOEXEC));
            try {
                EpollEvents one = new EpollEvents(arena, 1);
                one.set(0, Libc.EPOLLIN, 0x1234_5678_9abcL);
                Libc.check("epoll_ctl", Libc.epollCtl(ep, Libc.EPOLL_CTL_ADD, e.fd(), one.address()));
                EpollEvents ready = new EpollEvents(arena, 8);
                assertThat(Libc.epollWait(ep, ready.address(), 8, 0)).isZero();
                e.signal();
                assertThat(Libc.epollWait(ep, ready.address(), 8, 5_000)).isEqualTo(1);
                assertThat(ready.events(0) & Libc.EPOLLIN).isNotZero();
                assertThat(ready.data(0)).isEqualTo(0x1234_5678_9abcL);
                e.drain();
                assertThat(Libc.epollWait(ep, ready.address(), 8, 0)).isZero();
            } finally {
                Libc.close(ep);
            }
        }
    }

    @Test
    void pollAndSelectSeeASignalledEventfd() throws Exception {
        try (Arena arena = Arena.ofConfined(); EventFd e = new EventFd()) {
            PollFds fds = new PollFds();
            fds.add(e.fd(), Libc.POLLIN);
            assertThat(Libc.poll(fds.address(), fds.size(), 0)).isZero();
            e.signal();
            assertThat(Libc.poll(fds.address(), fds.size(), 5_000)).isEqualTo(1);
            assertThat(fds.revents(0) & Libc.POLLIN).isNotZero();

            FdSet read = new FdSet(arena);
            read.set(e.fd());
            MemorySegment zeroTimeout = arena.allocate(16, 8);
            assertThat(Libc.select(e.fd() + 1, read.address(), 0, 0, zeroTimeout.address())).isEqualTo(1);
            assertThat(read.isSet(e.fd())).isTrue();
            e.drain();
            read.set(e.fd());
            assertThat(Libc.select(e.fd() + 1, read.address(), 0, 0, zeroTimeout.address())).isZero();
            assertThat(read.isSet(e.fd())).isFalse();
        }
    }

    @Test
    void fdSetMatchesGlibcBitLayoutAndRefusesDescriptorsPastFdSetsize() {
        try (Arena arena = Arena.ofConfined()) {
            FdSet s = new FdSet(arena);
            s.set(0);
            s.set(65);
            s.set(1023);
            MemorySegment raw = MemorySegment.ofAddress(s.address()).reinterpret(FdSet.BYTES);
            assertThat(raw.get(JAVA_LONG, 0)).isEqualTo(1L);
            assertThat(raw.get(JAVA_LONG, 8)).isEqualTo(2L);
            assertThat(raw.get(JAVA_LONG, 15 * 8)).isEqualTo(Long.MIN_VALUE);
            s.clear(65);
            assertThat(s.isSet(65)).isFalse();
            assertThat(s.isSet(1023)).isTrue();
            assertThatThrownBy(() -> s.set(FdSet.FD_SETSIZE)).hasMessageContaining("FD_SETSIZE 1024");
        }
    }

    @Test
    void pollFdsGrowsAndStaysDenseOnRemoval() {
        PollFds fds = new PollFds();
        for (int fd = 100; fd < 300; fd++) fds.add(fd, Libc.POLLIN);
        assertThat(fds.size()).isEqualTo(200);
        assertThat(fds.remove(0)).isEqualTo(299);
        assertThat(fds.fd(0)).isEqualTo(299);
        assertThat(fds.remove(fds.size() - 1)).isEqualTo(-1);
        assertThat(fds.size()).isEqualTo(198);
        fds.events(5, (short) (Libc.POLLIN | Libc.POLLOUT));
        assertThat(fds.events(5)).isEqualTo((short) (Libc.POLLIN | Libc.POLLOUT));
        assertThat(fds.fd(197)).isEqualTo(297);
    }

    @Test
    void sockAddrRoundTripsBothFamilies() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE, 8);
            for (InetSocketAddress a : new InetSocketAddress[] {
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 65535),
                    new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 7),
                    new InetSocketAddress(InetAddress.getByName("::1"), 8080),
                    new InetSocketAddress(InetAddress.getByName("fe80::1%1"), 21)}) {
                int len = SockAddr.encode(a, sa);
                assertThat(len).isEqualTo(a.getAddress() instanceof java.net.Inet6Address ? SockAddr.IN6_LEN : SockAddr.IN_LEN);
                assertThat(SockAddr.decode(sa)).isEqualTo(a);
            }
        }
    }

    private static int acceptBlocking(int lfd, MemorySegment sa, MemorySegment len) throws Exception {
        PollFds p = new PollFds();
        p.add(lfd, Libc.POLLIN);
        Libc.check("poll", Libc.poll(p.address(), 1, 5_000));
        return Libc.check("accept4", Libc.accept4(lfd, sa.address(), len.address(), Libc.SOCK_NONBLOCK));
    }

    private static long recvBlocking(int fd, MemorySegment buf) throws Exception {
        PollFds p = new PollFds();
        p.add(fd, Libc.POLLIN);
        Libc.check("poll", Libc.poll(p.address(), 1, 5_000));
        return Libc.check("recv", Libc.recv(fd, buf.address(), buf.byteSize(), 0));
    }
}
