package dev.polyserve.linux;

import dev.polyserve.core.Engine;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import dev.polyserve.core.engine.EngineContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code uring} model: one {@link UringLoop} (one io_uring) per worker, one per core by default, each with
 * its own accept request on a shared listening socket; whichever ring accepts a connection hands it to the loops in
 * turn ({@link UringLoopGroup}), because the kernel wakes the same ring for every client.
 */
final class UringEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(UringEngine.class);
    /** How long start-up and shutdown wait for a loop to answer before giving up on it. */
    private static final long LOOP_ANSWER_SECONDS = 5;
    /**
     * {@code -Dpolyserve.uring.multishot=false} keeps to one accept and one receive per request, the path older
     * kernels take: for comparing the two, and for testing the fallback on a kernel that has both.
     */
    static final String MULTISHOT_PROPERTY = "polyserve.uring.multishot";

    private EngineContext ctx;
    private int listenFd = -1;
    private InetSocketAddress bound;
    private UringLoop[] loops = new UringLoop[0];
    private boolean stopped;

    @Override
    public void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        ctx = new EngineContext(LinuxEngineProvider.URING, config, service, stats);
        InetSocketAddress address = config.address();
        try {
            listenFd = Sockets.listen(address, config.backlog(), config.reusePort(), false);
            bound = Sockets.localAddress(listenFd);
            int n = config.workersOr(ServerConfig.cores());
            boolean multishot = !"false".equals(System.getProperty(MULTISHOT_PROPERTY));
            UringLoopGroup group = new UringLoopGroup();
            for (int i = 0; i < n; i++) {
                UringLoop loop = new UringLoop("polyserve-uring-loop-" + i, ctx, listenFd, group, multishot);
                loop.start();
                group.add(loop);
                loops = Arrays.copyOf(loops, i + 1);
                loops[i] = loop;
            }
        } catch (IOException | RuntimeException e) {
            shutdown(Duration.ZERO);
            if (e instanceof ErrnoException errno) {
                throw new IOException("cannot start uring on " + address.getHostString() + ":" + address.getPort()
                        + ": " + errno.getMessage(), e);
            }
            throw e;
        }
        log.info("uring listening on {} with {} ring(s): {}", bound, loops.length, loops[0].features());
    }

    @Override
    public InetSocketAddress localAddress() {
        return bound;
    }

    @Override
    public synchronized void shutdown(Duration grace) {
        if (stopped || ctx == null) return;
        stopped = true;
        // An accept request holds the listening socket open in the kernel: cancel them all before closing it.
        CountDownLatch released = new CountDownLatch(loops.length);
        for (UringLoop loop : loops) {
            loop.execute(() -> loop.stopAccepting(released));
        }
        try {
            if (!released.await(LOOP_ANSWER_SECONDS, TimeUnit.SECONDS)) {
                log.warn("uring: an accept request was not cancelled in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (listenFd >= 0) Libc.close(listenFd);
        ctx.closeConnections(grace);
        for (UringLoop loop : loops) {
            loop.stop(LOOP_ANSWER_SECONDS, TimeUnit.SECONDS);
        }
    }
}
