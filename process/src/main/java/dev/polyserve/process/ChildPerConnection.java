package dev.polyserve.process;

import dev.polyserve.core.LogLimiter;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.engine.EngineContext;
import dev.polyserve.core.engine.SpareDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The inetd/tcpserver shape: one accepting thread; every accepted connection gets its own child process whose
 * stdin receives the connection's bytes and whose stdout is sent back to the peer: the {@code process} model's
 * master (each child a JVM running the service's handler). ({@code serve exec} runs programs from an ordinary
 * service instead, {@link ExecService}, so its connections can run on any model.)
 *
 * <p>Reaping: the JDK starts children through {@link ProcessBuilder}, and its "process reaper" thread calls
 * {@code waitpid} for every child it started (the JVM's SIGCHLD/wait loop), so an exited child never stays a
 * zombie while this master lives. What this class guarantees on top is that every child <em>does</em> exit: its
 * stdin is closed when the peer finishes, and on shutdown it gets SIGTERM, then SIGKILL after the grace period.
 */
final class ChildPerConnection {
    private static final Logger log = LoggerFactory.getLogger(ChildPerConnection.class);

    /** Pump buffer: 64 KiB is a Linux pipe's default capacity, so one read can drain a full pipe. */
    private static final int PUMP_BUFFER = 64 * 1024;
    /**
     * After the peer has gone (or the child closed its stdout), how long a child may keep running before it is
     * terminated: long enough to flush and exit, short enough that a stuck child does not pin a slot.
     */
    private static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);
    /** After accept fails with no spare descriptor to refuse with: pause this long instead of spinning. */
    private static final long ACCEPT_BACKOFF_MILLIS = 100;

    /** What the master knows about one accepted connection when it starts the child. */
    record Peer(InetSocketAddress remote, InetSocketAddress local) {
        /** ucspi-tcp's environment for the child (tcpserver sets these; inetd-style programs read them). */
        Map<String, String> environment() {
            return Map.of(
                    "PROTO", "TCP",
                    "TCPREMOTEIP", remote.getAddress().getHostAddress(),
                    "TCPREMOTEPORT", Integer.toString(remote.getPort()),
                    "TCPLOCALIP", local.getAddress().getHostAddress(),
                    "TCPLOCALPORT", Integer.toString(local.getPort()));
        }
    }

    /** How this acceptor is set up; {@code name} prefixes log lines and thread names. */
    record Settings(String name, InetSocketAddress address, int backlog, int maxConnections, byte[] refusal) {}

    private final Settings settings;
    private final ChildStarter childStarter;
    private final ServerStats stats;
    private final Set<Child> children = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch acceptorDone = new CountDownLatch(1);
    /** Refusals and accept failures repeat per connection while a shortage lasts: a few lines per kind a minute. */
    private final LogLimiter shortages = new LogLimiter(log, EngineContext.SHORTAGE_LOG_WINDOW, EngineContext.SHORTAGE_LINES_PER_WINDOW);
    private final SpareDescriptor spare = new SpareDescriptor();
    private ServerSocketChannel listener;
    private Thread acceptor;

    /** Starts the child for one connection; the peer's {@link Peer#environment()} must be in its environment. */
    @FunctionalInterface
    interface ChildStarter {
        Process start(Peer peer) throws IOException;
    }

    ChildPerConnection(Settings settings, ChildStarter childStarter, ServerStats stats) {
        this.settings = settings;
        this.childStarter = childStarter;
        this.stats = stats;
    }

    /** Binds and starts accepting on a platform thread; returns once the socket listens. */
    void start() throws IOException {
        listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(settings.address(), settings.backlog());
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + settings.address() + ": " + e.getMessage(), e);
        }
        acceptor = Thread.ofPlatform().name("polyserve-" + settings.name() + "-accept").start(this::acceptLoop);
    }

    InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("listener closed", e);
        }
    }

    /** Children alive right now (for tests and status). */
    int activeChildren() {
        return children.size();
    }

    /** Process ids of the children alive right now. */
    Set<Long> childPids() {
        Set<Long> pids = ConcurrentHashMap.newKeySet();
        for (Child c : children) pids.add(c.process.pid());
        return pids;
    }

    private void acceptLoop() {
        try {
            while (!stopping.get()) {
                SocketChannel socket;
                try {
                    socket = listener.accept();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (!listener.isOpen()) return;
                    acceptFailed(e);
                    continue;
                }
                admit(socket);
            }
        } finally {
            spare.close();
            acceptorDone.countDown();
        }
    }

    /**
     * EMFILE and friends: keep serving the connections we have; refuse the waiting client through the spare
     * descriptor (see {@link SpareDescriptor}) or, without one, pause accepting for a moment.
     */
    private void acceptFailed(IOException e) {
        if (SpareDescriptor.outOfDescriptors(e) && spare.release()) {
            SocketChannel socket = null;
            try {
                socket = listener.accept();
                stats.connectionRefused();
                shortages.warn("descriptors", "{}: refused {}: {} (raise ulimit -n or lower --max-connections)",
                        settings.name(), socket.socket().getRemoteSocketAddress(), e.getMessage());
                byte[] refusal = settings.refusal();
                if (refusal != null) socket.write(ByteBuffer.wrap(refusal));
                socket.shutdownOutput(); // the socket stays open as the spare: see SpareDescriptor
                return;
            } catch (IOException stillOut) {
                // another thread took the freed slot, the listener closed, or the peer went first
            } finally {
                spare.restore(socket);
            }
        }
        if (!listener.isOpen()) return;
        shortages.warn("accept", "{}: accept failed: {}; pausing accept for {} ms", settings.name(), e.getMessage(),
                ACCEPT_BACKOFF_MILLIS);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ACCEPT_BACKOFF_MILLIS));
    }

    private void admit(SocketChannel socket) {
        Peer peer;
        try {
            peer = new Peer((InetSocketAddress) socket.getRemoteAddress(), (InetSocketAddress) socket.getLocalAddress());
        } catch (IOException e) {
            closeQuietly(socket);
            return;
        }
        if (children.size() >= settings.maxConnections()) {
            stats.connectionRefused();
            shortages.warn("connections", "{}: refused {}: {} connections open, the limit is {} (--max-connections)",
                    settings.name(), peer.remote(), children.size(), settings.maxConnections());
            refuse(socket);
            return;
        }
        Process process;
        try {
            process = childStarter.start(peer);
        } catch (IOException | RuntimeException e) {
            stats.connectionRefused();
            shortages.warn("children", "{}: refused {}: cannot start a child: {}", settings.name(), peer.remote(), e.getMessage());
            refuse(socket);
            return;
        }
        stats.connectionOpened();
        Child child = new Child(socket, process, peer);
        children.add(child);
        log.debug("{}: {} served by pid {}", settings.name(), peer.remote(), process.pid());
        child.run();
    }

    private void refuse(SocketChannel socket) {
        byte[] refusal = settings.refusal();
        if (refusal != null) {
            try {
                socket.write(ByteBuffer.wrap(refusal));
            } catch (IOException ignored) {
                // The peer is gone already; nothing to tell it.
            }
        }
        closeQuietly(socket);
    }

    /**
     * Stops accepting, asks every child to finish (SIGTERM), waits up to {@code grace}, kills the rest (SIGKILL)
     * and waits until each has been reaped. Idempotent.
     */
    void shutdown(Duration grace) {
        if (stopping.compareAndSet(false, true)) {
            closeQuietly(listener);
        }
        try {
            acceptorDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Child c : children) c.process.destroy();
        for (Child c : children) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !c.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    log.warn("{}: child pid {} did not finish within {}; killing it", settings.name(), c.process.pid(), grace);
                    c.process.destroyForcibly();
                }
                c.process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.process.destroyForcibly();
            }
        }
        for (Child c : children) c.awaitFinished();
    }

    /** One connection and its child: two pumps and a reaper-side finisher. */
    private final class Child {
        final SocketChannel socket;
        final Process process;
        final Peer peer;
        final CountDownLatch finished = new CountDownLatch(1);
        volatile long lastOutputNanos = System.nanoTime();

        Child(SocketChannel socket, Process process, Peer peer) {
            this.socket = socket;
            this.process = process;
            this.peer = peer;
        }

        void run() {
            Thread up = Thread.ofVirtual().name("polyserve-" + settings.name() + "-in-" + process.pid()).start(this::socketToChild);
            Thread down = Thread.ofVirtual().name("polyserve-" + settings.name() + "-out-" + process.pid()).start(this::childToSocket);
            Thread.ofVirtual().name("polyserve-" + settings.name() + "-wait-" + process.pid()).start(() -> finish(up, down));
        }

        /** The peer's bytes become the child's stdin; the peer's EOF becomes the child's EOF. */
        private void socketToChild() {
            OutputStream stdin = process.getOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(PUMP_BUFFER);
            try (stdin) {
                while (true) {
                    buf.clear();
                    int n = socket.read(buf);
                    if (n < 0) return;
                    stats.read(n);
                    stdin.write(buf.array(), 0, n);
                    stdin.flush();
                }
            } catch (IOException e) {
                // Either the peer reset (socket) or the child stopped reading (EPIPE): both end this direction.
                log.debug("{}: pid {} input ended: {}", settings.name(), process.pid(), e.getMessage());
            }
        }

        /** The child's stdout goes to the peer; the child's EOF becomes a TCP half-close (FIN). */
        private void childToSocket() {
            InputStream stdout = process.getInputStream();
            byte[] buf = new byte[PUMP_BUFFER];
            try (stdout) {
                while (true) {
                    int n = stdout.read(buf);
                    if (n < 0) break;
                    ByteBuffer out = ByteBuffer.wrap(buf, 0, n);
                    while (out.hasRemaining()) {
                        socket.write(out);
                        lastOutputNanos = System.nanoTime();
                    }
                    stats.wrote(n);
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                // The peer went away: closing our end of the pipe makes the child's next write fail (SIGPIPE).
                log.debug("{}: pid {} output ended: {}", settings.name(), process.pid(), e.getMessage());
            }
        }

        /**
         * Waits until the child has exited and its output has been sent, then closes the connection. Two ways it
         * can hang are cut short: a child that closed its stdout but keeps running is terminated, and output the
         * peer stops reading (no progress for {@link #ORPHAN_GRACE} after the child exited) is dropped.
         */
        private void finish(Thread up, Thread down) {
            try {
                while (down.isAlive()) {
                    down.join(ORPHAN_GRACE.toMillis());
                    if (down.isAlive() && !process.isAlive()
                            && System.nanoTime() - lastOutputNanos > ORPHAN_GRACE.toNanos()) {
                        log.info("{}: {} stopped reading the output of exited pid {}; closing", settings.name(),
                                peer.remote(), process.pid());
                        closeQuietly(socket);   // unblocks the pump's write
                    }
                }
                // The child closed its stdout (usually by exiting). Give it a moment to exit, then make it.
                if (!process.waitFor(ORPHAN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("{}: pid {} closed its output but did not exit; terminating it", settings.name(), process.pid());
                    process.destroy();
                    if (!process.waitFor(ORPHAN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly();
                    process.waitFor();
                }
                int status = process.exitValue();
                if (status != 0) log.info("{}: pid {} for {} exited with status {}", settings.name(), process.pid(), peer.remote(), status);
                else log.debug("{}: pid {} for {} exited", settings.name(), process.pid(), peer.remote());
                closeQuietly(socket);  // also wakes the input pump if the peer never sent EOF
                up.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                closeQuietly(socket);
            } finally {
                children.remove(this);
                stats.connectionClosed();
                finished.countDown();
            }
        }

        void awaitFinished() {
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing is best effort: the descriptor is released either way.
        }
    }
}
