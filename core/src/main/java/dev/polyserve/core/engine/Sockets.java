package dev.polyserve.core.engine;

import dev.polyserve.core.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Listening, accepting, admitting and closing sockets, the same way in every JDK engine. */
final class Sockets {
    private static final Logger log = LoggerFactory.getLogger(Sockets.class);

    private Sockets() {}

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
                log.warn("accept failed: {}", e.toString());
                continue;
            }
            admit(ctx, ch, adopter);
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
