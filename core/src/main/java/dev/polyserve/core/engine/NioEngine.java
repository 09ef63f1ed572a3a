package dev.polyserve.core.engine;

import dev.polyserve.core.Engine;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nio} model: a reactor. One thread accepts; one {@link Selector} loop per core serves the
 * connections handed to it round-robin. The JDK picks epoll underneath on Linux.
 */
final class NioEngine implements Engine {
    /** Read buffer per loop: 64 KiB takes a full TCP window segment burst in one read. */
    static final int READ_BUFFER = 64 * 1024;

    private EngineContext ctx;
    private ServerSocketChannel server;
    private InetSocketAddress bound;
    private SelectorLoop[] loops;
    private Thread acceptor;
    private boolean stopped;

    @Override
    public void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        ctx = new EngineContext("nio", config, service, stats);
        server = Sockets.open(config);
        bound = (InetSocketAddress) server.getLocalAddress();
        loops = new SelectorLoop[config.workersOr(ServerConfig.cores())];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new SelectorLoop("polyserve-nio-loop-" + i, Selector.open());
            loops[i].start();
        }
        acceptor = new Thread(this::acceptLoop, "polyserve-nio-acceptor");
        acceptor.start();
    }

    private void acceptLoop() {
        int[] next = {0}; // round-robin; the acceptor thread is the only user
        Sockets.acceptLoop(server, ctx, ch -> {
            ch.configureBlocking(false);
            SelectorLoop loop = loops[next[0]];
            next[0] = (next[0] + 1) % loops.length;
            ChannelConn conn = new ChannelConn(ctx, ctx.service().newHandler(), ch, loop);
            loop.execute(() -> loop.adopt(conn));
        });
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
        Sockets.closeQuietly(server);
        Sockets.join(acceptor);
        ctx.closeConnections(grace);
        for (SelectorLoop loop : loops) {
            loop.stop(5, TimeUnit.SECONDS);
        }
    }

    /** A Selector loop: level-triggered readiness for its share of the connections. */
    static final class SelectorLoop extends EventLoop {
        private final Selector selector;
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);

        SelectorLoop(String name, Selector selector) {
            super(name);
            this.selector = selector;
        }

        void adopt(ChannelConn conn) {
            try {
                SelectionKey key = conn.channel.register(selector, SelectionKey.OP_READ, conn);
                conn.opened(key);
            } catch (IOException e) {
                conn.abort(e);
            }
        }

        @Override
        protected void poll(boolean block) throws IOException {
            int n = block ? selector.select() : selector.selectNow();
            if (n == 0) {
                return;
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                ChannelConn conn = (ChannelConn) key.attachment();
                if (!key.isValid()) {
                    continue;
                }
                int ready = key.readyOps();
                if ((ready & SelectionKey.OP_WRITE) != 0) {
                    conn.writable();
                }
                if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
                    conn.readOnce(readBuffer);
                }
            }
        }

        @Override
        protected void wakeup() {
            selector.wakeup();
        }

        @Override
        protected void closeResources() {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof ChannelConn conn) {
                    conn.abort();
                }
            }
            Sockets.closeQuietly(selector);
        }
    }
}
