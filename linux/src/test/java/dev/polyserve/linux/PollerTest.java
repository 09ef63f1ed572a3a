package dev.polyserve.linux;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PollerTest {

    static Poller poller(String kind) throws ErrnoException {
        return switch (kind) {
            case "select" -> new SelectPoller();
            case "poll" -> new PollPoller();
            case "epoll" -> new EpollPoller(false);
            case "epoll-et" -> new EpollPoller(true);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"select", "poll", "epoll", "epoll-et"})
    void reportsReadAndWriteReadinessOfASocket(String kind) throws Exception {
        int lfd = Sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, false);
        try (Poller p = poller(kind);
             Socket peer = new Socket(InetAddress.getLoopbackAddress(), Sockets.localAddress(lfd).getPort());
             Arena arena = Arena.ofConfined()) {
            p.add(lfd, Poller.READ);
            assertThat(p.await(5_000)).isEqualTo(1);
            assertThat(p.readyFd(0)).isEqualTo(lfd);
            assertThat(p.readyOps(0) & Poller.READ).isNotZero();
            int fd = Libc.check("accept4", Libc.accept4(lfd, 0, 0, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC));
            try {
                p.remove(lfd);
                p.add(fd, Poller.WRITE);
                assertThat(p.await(5_000)).isEqualTo(1);
                assertThat(p.readyFd(0)).isEqualTo(fd);
                assertThat(p.readyOps(0) & Poller.WRITE).isNotZero();
                p.modify(fd, Poller.READ);
                if (!p.edgeTriggered()) assertThat(p.await(0)).isZero();
                peer.getOutputStream().write(42);
                int n = p.await(5_000);
                assertThat(n).isEqualTo(1);
                assertThat(p.readyOps(0) & Poller.READ).isNotZero();
                MemorySegment buf = arena.allocate(8);
                assertThat(Libc.recv(fd, buf.address(), 8, 0)).isEqualTo(1);
                assertThat(Libc.recv(fd, buf.address(), 8, 0)).isEqualTo(-Errno.EAGAIN);
                p.remove(fd);
                peer.getOutputStream().write(43);
                assertThat(p.await(0)).isZero();
            } finally {
                Libc.close(fd);
            }
        } finally {
            Libc.close(lfd);
        }
    }

    @Test
    void selectRefusesADescriptorAtFdSetsize() {
        try (SelectPoller p = new SelectPoller()) {
            assertThatThrownBy(() -> p.add(FdSet.FD_SETSIZE, Poller.READ))
                    .isInstanceOf(Poller.FdLimitException.class)
                    .hasMessageContaining("FD_SETSIZE limit of 1024");
        }
    }
}
