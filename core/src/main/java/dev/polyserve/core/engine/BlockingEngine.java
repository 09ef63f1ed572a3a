package dev.polyserve.core.engine;

import dev.polyserve.core.Engine;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blocking models: an accept loop hands each connection to a thread that serves it with blocking reads
 * for its whole life. They differ only in where that thread comes from ({@link Kind}).
 */
final class BlockingEngine implements Engine {
    /**
     * Accepted connections the {@code pool} model lets wait for a free thread before refusing: half the default
     * pool, so a burst is absorbed but a client never waits behind an unbounded line.
     */
    static final int POOL_QUEUE = 100;

    /** Where a connection's thread comes from. */
    enum Kind {
        /** The accept thread serves the connection itself: one client at a time (the course's loop server). */
        ITERATIVE("iterative"),
        /** A new platform thread per connection (socketserver's ThreadingTCPServer). */
        THREADS("threads"),
        /** A bounded pool of platform threads with a bounded wait queue; beyond both, refuse. */
        POOL("pool"),
        /** A new virtual thread per connection (the JVM's coroutines; the course's gevent). */
        VIRTUAL("virtual");

        final String model;

        Kind(String model) {
            this.model = model;
        }
    }

    private final Kind kind;
    private final Set<Thread> connThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadIds = new AtomicInteger();
    /** Connection threads alive when a thread last failed to start, or -1: see {@link #track}. Acceptor only. */
    private int threadsAtShortage = -1;
    /** When a thread last failed to start ({@link System#nanoTime}); valid while {@code threadsAtShortage >= 0}. */
    private long shortageNanos;
    /**
     * How long after a failed thread start connections are refused without trying again, unless a connection thread
     * ends first. Not until a thread ends: a thread leaves {@code connThreads} a moment before the kernel releases its
     * task, so a start can fail with no connection thread left to end, and the server would refuse forever.
     */
    private static final long RETRY_START_AFTER_NANOS = Duration.ofMillis(100).toNanos();
    /** Made once per engine and shared by its connections (a factory, unlike a builder, is safe to share). */
    private ThreadFactory writerThreads;
    private ThreadFactory taskThreads;
    private final ThreadFactory readerThreads = Thread.ofVirtual().name("polyserve-virtual").factory();
    private EngineContext ctx;
    private ServerSocketChannel server;
    private InetSocketAddress bound;
    private Thread acceptor;
    private ThreadPoolExecutor pool;
    private boolean stopped;

    BlockingEngine(Kind kind) {
        this.kind = kind;
    }

    @Override
    public void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        ctx = new EngineContext(kind.model, config, service, stats);
        SerialExecutor.prepare();
        writerThreads = writerThreads();
        taskThreads = Thread.ofVirtual().name("polyserve-" + kind.model + "-task").factory();
        server = Sockets.open(config);
        bound = (InetSocketAddress) server.getLocalAddress();
        if (kind == Kind.POOL) {
            int size = config.workersOr(ServerConfig.DEFAULT_POOL_THREADS);
            pool = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(POOL_QUEUE),
                    r -> new Thread(r, "polyserve-pool-" + threadIds.incrementAndGet()),
                    new ThreadPoolExecutor.AbortPolicy());
            pool.allowCoreThreadTimeOut(true);
        }
        acceptor = new Thread(this::acceptLoop, "polyserve-" + kind.model + "-acceptor");
        acceptor.start();
    }

    private void acceptLoop() {
        Sockets.acceptLoop(server, ctx, ch -> dispatch(new BlockingConn(ctx, ctx.service().newHandler(), ch, writerThreads,
                kind == Kind.VIRTUAL, taskThreads), ch));
    }

    /** Writer threads of the connection's own kind (see {@link BlockingConn}). */
    private ThreadFactory writerThreads() {
        String name = "polyserve-" + kind.model + "-writer";
        return kind == Kind.VIRTUAL ? Thread.ofVirtual().name(name).factory() : Thread.ofPlatform().daemon(true).name(name).factory();
    }

    private void dispatch(BlockingConn conn, SocketChannel ch) {
        switch (kind) {
            case ITERATIVE -> conn.serve();
            case THREADS -> track(Thread.ofPlatform().name("polyserve-threads-" + threadIds.incrementAndGet()).factory(), conn, ch);
            // One name for all: a numbered name is a string per connection, and a dump tells virtual threads apart by id.
            case VIRTUAL -> track(readerThreads, conn, ch);
            case POOL -> {
                try {
                    pool.execute(conn::serve);
                } catch (RejectedExecutionException full) {
                    ctx.refused("pool", conn.remote(), "all " + pool.getMaximumPoolSize() + " pool threads are busy and "
                            + POOL_QUEUE + " connections are waiting");
                    Sockets.refuse(ch, ctx.refusal());
                } catch (OutOfMemoryError noThread) {
                    refuseWithoutThread(conn, ch, noThread);
                }
            }
        }
    }

    /**
     * The JVM could not start a thread for the connection (the process or system thread limit, or no memory for
     * its stack): refuse it like a full server, so the client hears why and everyone already connected is still
     * served. The error says nothing the log line does not; its stack trace, once per connection, would bury the log.
     */
    private void refuseWithoutThread(BlockingConn conn, SocketChannel ch, OutOfMemoryError noThread) {
        ctx.refused("threads", conn.remote(), "cannot start a thread: " + noThread.getMessage()
                + " (lower --max-connections, or serve with --model virtual or nio)");
        Sockets.refuse(ch, ctx.refusal());
    }

    /** Starts the connection's own thread, remembered until it ends so shutdown can wait for it. */
    private void track(ThreadFactory threads, BlockingConn conn, SocketChannel ch) {
        int atShortage = threadsAtShortage;
        if (atShortage >= 0 && connThreads.size() >= atShortage
                && System.nanoTime() - shortageNanos < RETRY_START_AFTER_NANOS) {
            // No connection thread has ended since the last start failed, moments ago: this one would fail the same
            // way, and a failed start costs milliseconds (the stack is mapped, then the clone refused): refuse at once.
            ctx.refused("threads", conn.remote(), "no thread can be started (lower --max-connections, or serve with "
                    + "--model virtual or nio)");
            Sockets.refuse(ch, ctx.refusal());
            return;
        }
        Thread t = threads.newThread(() -> {
            try {
                conn.serve();
            } finally {
                connThreads.remove(Thread.currentThread());
            }
        });
        connThreads.add(t);
        try {
            t.start();
            threadsAtShortage = -1;
        } catch (OutOfMemoryError noThread) {
            connThreads.remove(t);
            threadsAtShortage = connThreads.size();
            shortageNanos = System.nanoTime();
            refuseWithoutThread(conn, ch, noThread);
        }
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
        // The iterative acceptor may be serving a connection: closing connections lets it return.
        Thread closer = Thread.ofVirtual().start(() -> ctx.closeConnections(grace));
        Sockets.join(acceptor);
        Sockets.join(closer);
        for (Thread t : connThreads) {
            Sockets.join(t);
        }
        connThreads.clear();
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
