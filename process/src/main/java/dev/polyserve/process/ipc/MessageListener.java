package dev.polyserve.process.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of {@link MessageChannel}: a Unix domain socket bound at a path (the master binds, workers
 * {@link MessageChannel#connect connect}). Closing the listener removes the socket file.
 */
public final class MessageListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MessageListener.class);

    /** Pending connections the kernel queues: one per worker is enough, 64 covers any sane worker count. */
    static final int BACKLOG = 64;

    private final Path path;
    private final ServerSocketChannel server;

    private MessageListener(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /**
     * Binds at {@code socketPath}. A leftover socket file from a crashed run (one nobody answers on) is removed
     * first; a live one makes this fail with "address already in use".
     */
    public static MessageListener bind(Path socketPath) throws IOException {
        removeIfStale(socketPath);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socketPath), BACKLOG);
            return new MessageListener(socketPath, server);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void removeIfStale(Path socketPath) throws IOException {
        if (!Files.exists(socketPath) || Files.isRegularFile(socketPath) || Files.isDirectory(socketPath)) {
            return; // nothing there, or not ours to delete: bind will report it
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException refused) {
            log.info("removing stale socket file {}", socketPath);
            Files.deleteIfExists(socketPath);
        }
    }

    /** Waits for the next peer. */
    public MessageChannel accept() throws IOException {
        return new MessageChannel(server.accept());
    }

    public Path path() {
        return path;
    }

    /** Stops accepting and removes the socket file. Channels already accepted stay open. */
    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
