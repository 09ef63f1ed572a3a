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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The select, poll, epoll and epoll-et models: one {@link ReadinessLoop} per worker (one per core by default),
 * all watching one non-blocking listening socket, each with its own poller. Whichever loop the kernel wakes
 * accepts the connection and keeps it for life.
 */
final class ReadinessEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(ReadinessEngine.class);
    /** How long start-up and shutdown wait for a loop to answer before giving up on it. */
    private static final long LOOP_ANSWER_SECONDS = 5;

    /** Makes one loop's poller. */
    interface PollerFactory {
        Poller open() throws ErrnoException;
    }

    private final String model;
    private final PollerFactory pollers;
    private EngineContext ctx;
    private int listenFd = -1;
    private InetSocketAddress bound;
    private ReadinessLoop[] loops = new ReadinessLoop[0];
    private boolean stopped;

    ReadinessEngine(String model, PollerFactory pollers) {
        this.model = model;
        this.pollers = pollers;
    }

    @Override
    public void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        ctx = new EngineContext(model, config, service, stats);
        InetSocketAddress address = config.address();
        try {
            listenFd = Sockets.listen(address, config.backlog(), config.reusePort());
            bound = Sockets.localAddress(listenFd);
            int n = config.workersOr(ServerConfig.cores());
            ReadinessLoop[] made = new ReadinessLoop[n];
            for (int i = 0; i < n; i++) {
                try {
                    made[i] = new ReadinessLoop("polyserve-" + model + "-loop-" + i, ctx, pollers.open(), listenFd);
                } catch (Poller.FdLimitException e) {
                    throw new IOException(model + " cannot start: " + e.getMessage(), e);
                }
                made[i].start();
                loops = java.util.Arrays.copyOf(made, i + 1);
            }
        } catch (IOException | RuntimeException e) {
            shutdown(Duration.ZERO);
            if (e instanceof ErrnoException errno) {
                throw new IOException("cannot listen on " + address.getHostString() + ":" + address.getPort()
                        + " with " + model + ": " + errno.getMessage(), e);
            }
            throw e;
        }
        log.info("{} listening on {} with {} loop(s)", model, bound, loops.length);
    }

    @Override
    public InetSocketAddress localAddress() {
        return bound;
    }

    @Override
    public synchronized void shutdown(Duration grace) {
        if (stopped || ctx == null) return;
        stopped = true;
        CountDownLatch unwatched = new CountDownLatch(loops.length);
        for (ReadinessLoop loop : loops) {
            loop.execute(() -> {
                loop.stopAccepting();
                unwatched.countDown();
            });
        }
        try {
            if (!unwatched.await(LOOP_ANSWER_SECONDS, TimeUnit.SECONDS)) {
                log.warn("{}: a loop did not stop watching the listening socket in time", model);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Only now close it: select(2) fails with EBADF on a closed descriptor still in its set.
        if (listenFd >= 0) Libc.close(listenFd);
        ctx.closeConnections(grace);
        for (ReadinessLoop loop : loops) {
            loop.stop(LOOP_ANSWER_SECONDS, TimeUnit.SECONDS);
        }
    }
}
