package dev.polyserve.core.engine;

import dev.polyserve.core.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opening the listening socket and turning away refused connections, as every JDK engine does it. */
final class Listener {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);

    private Listener() {}

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
}
