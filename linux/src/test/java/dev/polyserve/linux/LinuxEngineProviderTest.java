package dev.polyserve.linux;

import dev.polyserve.core.Engines;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LinuxEngineProviderTest {

    @Test
    void theFiveModelsAreFoundThroughServiceLoader() {
        assertThat(Engines.all().stream().map(Engines.Listing::name).toList())
                .containsSubsequence("select", "poll", "epoll", "epoll-et", "uring");
        assertThat(Engines.availableNames()).contains("select", "poll", "epoll", "epoll-et");
    }

    @Test
    void onAnotherOsEveryModelSaysItNeedsLinuxInOneSentence() {
        assertThat(LinuxEngineProvider.reason("epoll", "Mac OS X")).contains("epoll needs Linux, but this is Mac OS X.");
        assertThat(LinuxEngineProvider.reason("uring", "Windows 11")).contains("uring needs Linux, but this is Windows 11.");
    }

    @Test
    void aRefusedIoUringSetupIsExplainedByItsErrno() {
        assertThat(LinuxEngineProvider.uringReason(new ErrnoException("io_uring_setup", Errno.EPERM)))
                .isEqualTo("the kernel refused io_uring_setup with EPERM (io_uring is disabled by policy: "
                        + "see /proc/sys/kernel/io_uring_disabled or the container's seccomp profile).");
        assertThat(LinuxEngineProvider.uringReason(new ErrnoException("io_uring_setup", Errno.ENOSYS)))
                .isEqualTo("this kernel has no io_uring (io_uring_setup: ENOSYS).");
        assertThat(LinuxEngineProvider.uringReason(new ErrnoException("io_uring_register(PBUF_RING)", Errno.EINVAL)))
                .startsWith("io_uring here lacks provided-buffer rings, which need Linux 5.19 or newer");
    }

    @Test
    void selectPollAndEpollAreAvailableOnLinux() {
        for (String m : new String[] {"select", "poll", "epoll", "epoll-et"}) {
            assertThat(LinuxEngineProvider.reason(m, "Linux")).isEmpty();
        }
    }
}
