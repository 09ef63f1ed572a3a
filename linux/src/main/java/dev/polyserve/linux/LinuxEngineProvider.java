package dev.polyserve.linux;

import dev.polyserve.core.Engine;
import dev.polyserve.core.EngineProvider;

import java.util.List;
import java.util.Optional;

/**
 * The Linux engines: select(2), poll(2), epoll(7) level- and edge-triggered, and io_uring(7), all through the
 * FFM API. Listed in {@code META-INF/services/dev.polyserve.core.EngineProvider}.
 */
public final class LinuxEngineProvider implements EngineProvider {
    static final String SELECT = "select";
    static final String POLL = "poll";
    static final String EPOLL = "epoll";
    static final String EPOLL_ET = "epoll-et";
    static final String URING = "uring";

    private static final List<Model> MODELS = List.of(
            new Model(SELECT, "select(2) with fd_set bitmaps; descriptors >= FD_SETSIZE (1024) are refused"),
            new Model(POLL, "poll(2) over a growing pollfd array with an fd-to-connection map"),
            new Model(EPOLL, "epoll(7) level-triggered, one loop per worker"),
            new Model(EPOLL_ET, "epoll(7) edge-triggered: read and write until EAGAIN, one loop per worker"),
            new Model(URING, "io_uring(7): accept, recv and send as batched submissions (asynchronous I/O)"));

    private static volatile Optional<String> uringRefusal;

    @Override
    public List<Model> models() {
        return MODELS;
    }

    @Override
    public Optional<String> unavailableReason(String model) {
        return reason(model, System.getProperty("os.name", ""));
    }

    /** {@link #unavailableReason} for a given OS name; the io_uring probe runs only on Linux and only for uring. */
    static Optional<String> reason(String model, String osName) {
        if (!osName.equals("Linux")) return Optional.of(model + " needs Linux, but this is " + osName + ".");
        if (model.equals(URING)) return uringRefusal();
        return Optional.empty();
    }

    private static Optional<String> notLinux() {
        String os = System.getProperty("os.name", "");
        return os.equals("Linux") ? Optional.empty() : Optional.of(os);
    }

    /** Why io_uring cannot be used here, probed once by setting up (and tearing down) a tiny ring. */
    static Optional<String> uringRefusal() {
        Optional<String> r = uringRefusal;
        if (r == null) {
            if (notLinux().isPresent()) {
                r = Optional.of("uring needs Linux, but this is " + System.getProperty("os.name") + ".");
            } else {
                try (IoUring ring = IoUring.open(2)) {
                    new BufferRing(ring, (short) 1, 1, 64);
                    r = Optional.empty();
                } catch (ErrnoException e) {
                    r = Optional.of(uringReason(e));
                }
            }
            uringRefusal = r;
        }
        return r;
    }

    static String uringReason(ErrnoException e) {
        return switch (e.errnoName()) {
            case "EPERM", "EACCES" -> "the kernel refused io_uring_setup with " + e.errnoName()
                    + " (io_uring is disabled by policy: see /proc/sys/kernel/io_uring_disabled or the container's seccomp profile).";
            case "ENOSYS" -> "this kernel has no io_uring (io_uring_setup: ENOSYS).";
            case "EINVAL" -> "io_uring here lacks provided-buffer rings, which need Linux 5.19 or newer (" + e.getMessage() + ").";
            default -> "io_uring could not be set up: " + e.getMessage() + ".";
        };
    }

    @Override
    public Engine create(String model) {
        return switch (model) {
            case SELECT -> new ReadinessEngine(SELECT, SelectPoller::new);
            case POLL -> new ReadinessEngine(POLL, PollPoller::new);
            case EPOLL -> new ReadinessEngine(EPOLL, () -> new EpollPoller(false));
            case EPOLL_ET -> new ReadinessEngine(EPOLL_ET, () -> new EpollPoller(true));
            case URING -> new UringEngine();
            default -> throw new IllegalArgumentException("unknown model '" + model + "'");
        };
    }
}
