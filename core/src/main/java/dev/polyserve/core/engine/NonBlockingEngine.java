package dev.polyserve.core.engine;

import dev.polyserve.core.Engine;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code nonblocking} model: the course's {@code setblocking(False)} server. One thread tries to accept,
 * then tries to read and write every socket in turn, with no readiness notification at all. When a whole pass
 * finds nothing to do it backs off (sleeps a little longer each idle pass) so an idle server does not burn a
 * core; any progress, or a write from another thread, resets the back-off.
 */
final class NonBlockingEngine implements Engine {
    /** First idle sleep: short enough that a busy server barely notices it. */
    static final long MIN_BACKOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** Longest idle sleep: bounds the extra latency an idle server adds to the next message. */
    static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private EngineContext ctx;
    private ServerSocketChannel server;
    private InetSocketAddress bound;
    private PollingLoop loop;
    private boolean stopped;

    @Override
    public void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        ctx = new EngineContext("nonblocking", config, service, stats);
        server = Sockets.open(config);
        bound = (InetSocketAddress) server.getLocalAddress();
        server.configureBlocking(false);
        loop = new PollingLoop();
        loop.start();
    }

    @Override
    public InetSocketAddress localAddress() {
        return bound;
    }

    @Override
    public synchronized void shutdown(Duration grace) {
        if (stopped || ctx == null) {
            return;
        }
        stopped = true;
        loop.execute(() -> Sockets.closeQuietly(server));
        ctx.closeConnections(grace);
        loop.stop(5, TimeUnit.SECONDS);
    }

    /** The single thread that polls everything. */
    private final class PollingLoop extends EventLoop {
        private final ArrayList<ChannelConn> conns = new ArrayList<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(NioEngine.READ_BUFFER);
        private volatile Thread thread;
        private long backoffNanos = MIN_BACKOFF_NANOS;
        /** While accept is paused for a failure (out of descriptors): the System.nanoTime() to resume at. */
        private long acceptResumeAt;
        private boolean acceptPaused;

        PollingLoop() {
            super("polyserve-nonblocking-loop");
        }

        @Override
        protected void poll(boolean mayBlock) {
            thread = Thread.currentThread();
            boolean progress = acceptAll();
            for (int i = conns.size() - 1; i >= 0; i--) {
                ChannelConn c = conns.get(i);
                if (c.isClosed()) {
                    conns.remove(i);
                    continue;
                }
                if (c.wantsWrite()) {
                    long before = ctx.stats().bytesOut();
                    c.writable();
                    progress |= ctx.stats().bytesOut() != before;
                }
                progress |= c.readOnce(readBuffer) != 0;
            }
            if (progress || !mayBlock) {
                backoffNanos = MIN_BACKOFF_NANOS;
            } else {
                LockSupport.parkNanos(backoffNanos);
                backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
            }
        }

        private boolean acceptAll() {
            if (!server.isOpen() || acceptPaused && System.nanoTime() - acceptResumeAt < 0) {
                return false;
            }
            acceptPaused = false;
            boolean any = false;
            while (true) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    if (!server.isOpen()) return any;
                    if (Sockets.acceptFailed(ctx, e, server::accept)) {
                        any = true;
                        continue;
                    }
                    acceptPaused = true;
                    acceptResumeAt = System.nanoTime() + Sockets.ACCEPT_BACKOFF_NANOS;
                    return any;
                }
                if (ch == null) {
                    return any;
                }
                any = true;
                Sockets.admit(ctx, ch, accepted -> {
                    accepted.configureBlocking(false);
                    ChannelConn conn = new ChannelConn(ctx, ctx.service().newHandler(), accepted, this);
                    conns.add(conn);
                    conn.opened(null);
                });
            }
        }

        @Override
        protected void wakeup() {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        protected void closeResources() {
            for (ChannelConn c : conns) {
                c.abort();
            }
            conns.clear();
        }
    }
}
