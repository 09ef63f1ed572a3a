package dev.polyserve.core.engine;

import dev.polyserve.core.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Listening, accepting, admitting and closing sockets, the same way in every JDK engine. */
final class Sockets {
    private static final Logger log = LoggerFactory.getLogger(Sockets.class);

    /**
     * After accept fails for want of descriptors with no spare to refuse with, or for a reason we cannot act on,
     * wait this long before the next accept, so a failure that lasts does not spin the acceptor (100 ms lets
     * connections close; the Linux loops pause as long).
     */
    static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private Sockets() {}

    /**
     * After {@code failure} on accept (the listening socket still open): takes the waiting connection off the queue
     * with the engine's spare descriptor and refuses it. Returns true if it did; false means the caller should
     * stop accepting for {@link #ACCEPT_BACKOFF_NANOS} (logged here). {@code acceptOne} accepts one connection
     * (null if none is waiting, on a non-blocking socket).
     */
    static boolean acceptFailed(EngineContext ctx, IOException failure, AcceptOne acceptOne) {
        if (!SpareDescriptor.outOfDescriptors(failure)) {
            ctx.shortage("accept", "accept failed: {}; pausing accept for {} ms", failure.toString(),
                    TimeUnit.NANOSECONDS.toMillis(ACCEPT_BACKOFF_NANOS));
            return false;
        }
        SpareDescriptor spare = ctx.spare();
        if (spare.release()) {
            SocketChannel refused = null;
            try {
                refused = acceptOne.accept();
                if (refused != null) {
                    ctx.refused("descriptors", remoteOf(refused), failure.getMessage()
                            + " (raise ulimit -n or lower --max-connections)");
                    refuseAndHold(refused, ctx.refusal());
                    return true;
                }
                return false;
            } catch (ClosedChannelException stopping) {
                return false;
            } catch (IOException stillOut) {
                // another thread took the freed slot first
            } finally {
                spare.restore(refused);
            }
        }
        ctx.shortage("descriptors", "accept failed: {}; pausing accept for {} ms (raise ulimit -n or lower --max-connections)",
                failure.getMessage(), TimeUnit.NANOSECONDS.toMillis(ACCEPT_BACKOFF_NANOS));
        return false;
    }

    /** Accepts one connection from a listening socket; null when none is waiting (non-blocking socket). */
    @FunctionalInterface
    interface AcceptOne {
        SocketChannel accept() throws IOException;
    }

    private static Object remoteOf(SocketChannel ch) {
        try {
            return ch.getRemoteAddress();
        } catch (IOException gone) {
            return "a peer already gone";
        }
    }

    /** A bound, listening channel (blocking) with SO_REUSEADDR, and SO_REUSEPORT when the config asks for it. */
    static ServerSocketChannel open(ServerConfig config) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.reusePort()) {
                server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            server.bind(config.address(), config.backlog());
            return server;
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + describe(config.address()) + ": " + e.getMessage(), e);
        }
    }

    static String describe(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /**
     * Sends the service's refusal bytes (best effort, never blocking) and shuts the socket down, leaving its
     * descriptor open: it becomes the engine's spare ({@link SpareDescriptor#restore}).
     */
    private static void refuseAndHold(SocketChannel ch, byte[] refusal) {
        try {
            ch.configureBlocking(false);
            if (refusal != null) ch.write(ByteBuffer.wrap(refusal));
            ch.shutdownOutput();
            ch.shutdownInput();
        } catch (IOException e) {
            log.debug("refused connection went away first: {}", e.toString());
        }
    }

    /** Sends the service's refusal bytes (best effort, never blocking for long) and closes. */
    static void refuse(SocketChannel ch, byte[] refusal) {
        try (ch) {
            if (refusal != null) {
                ch.configureBlocking(false);
                ch.write(ByteBuffer.wrap(refusal));
            }
        } catch (IOException e) {
            log.debug("refused connection went away first: {}", e.toString());
        }
    }

    /** Options every accepted socket gets: no Nagle delay (request/response protocols). */
    static void tune(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    /** Takes an admitted, tuned connection: makes its Conn and hands it to a thread or loop. */
    @FunctionalInterface
    interface Adopter {
        void adopt(SocketChannel ch) throws IOException;
    }

    /** Blocking accept loop for a dedicated acceptor thread; returns once the server socket is closed. */
    static void acceptLoop(ServerSocketChannel server, EngineContext ctx, Adopter adopter) {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                if (!server.isOpen()) return;
                try {
                    if (!acceptFailed(ctx, e, server::accept)) LockSupport.parkNanos(ACCEPT_BACKOFF_NANOS);
                } catch (RuntimeException | LinkageError unexpected) {
                    acceptorSurvived(unexpected);
                }
                continue;
            }
            try {
                admit(ctx, ch, adopter);
            } catch (RuntimeException | LinkageError unexpected) {
                close(ch, false);
                acceptorSurvived(unexpected);
            }
        }
    }

    /**
     * Whatever one connection's set-up throws must not end the acceptor (the server would go on running and
     * accept nothing); LinkageError: a class first needed while the process is out of descriptors cannot be read.
     */
    private static void acceptorSurvived(Throwable unexpected) {
        try {
            log.error("setting up an accepted connection failed; accepting goes on", unexpected);
        } catch (RuntimeException | LinkageError alsoFailed) {
            // the log itself cannot be written now; the next line will be
        }
    }

    /** Refuses {@code ch} if the server is full or stopping, else tunes it and gives it to {@code adopter}. */
    static void admit(EngineContext ctx, SocketChannel ch, Adopter adopter) {
        try {
            if (!ctx.admit(ch.getRemoteAddress())) {
                refuse(ch, ctx.refusal());
                return;
            }
            tune(ch);
            adopter.adopt(ch);
        } catch (IOException e) {
            log.warn("could not set up an accepted connection: {}", e.toString());
            refuse(ch, null);
        }
    }

    /** Closes now; with {@code reset}, sends a TCP reset (SO_LINGER 0) instead of a FIN. */
    static void close(SocketChannel ch, boolean reset) {
        try {
            if (reset && ch.isOpen()) {
                ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException ignored) {
            // already reset by the peer
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /**
     * How long shutdown waits for an engine thread (acceptor, closer, worker) to end: they are woken by closing
     * their socket, so they end in microseconds; five seconds only bounds a stuck one, which is left behind.
     */
    static final long JOIN_MILLIS = 5_000;

    /** Waits up to {@link #JOIN_MILLIS} for {@code t} to end. */
    static void join(Thread t) {
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes a server socket, selector or similar at shutdown, when a failure to close changes nothing. */
    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down: nothing to do about it
        }
    }
}
