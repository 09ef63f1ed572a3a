package dev.polyserve.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A tiny blocking echo server on loopback, a virtual thread per connection, with ways to misbehave. */
final class LoopbackEchoServer implements AutoCloseable {
    enum Behaviour { ECHO, FLIP_FIRST_BYTE, CLOSE_AFTER_FIRST_READ, ONE_CLIENT_AT_A_TIME }

    private final ServerSocket listener;
    private final Behaviour behaviour;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    final AtomicLong bytesEchoed = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();

    LoopbackEchoServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                accepted.incrementAndGet();
                if (behaviour == Behaviour.ONE_CLIENT_AT_A_TIME) {
                    serve(socket);   // like an iterative server: the next client waits in the accept queue
                } else {
                    Thread.ofVirtual().start(() -> serve(socket));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            boolean first = true;
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (behaviour == Behaviour.CLOSE_AFTER_FIRST_READ) return;
                if (first && behaviour == Behaviour.FLIP_FIRST_BYTE) buffer[0] ^= 0x20;
                first = false;
                out.write(buffer, 0, n);
                bytesEchoed.addAndGet(n);
            }
        } catch (IOException e) {
            // The load generator closes connections with data in flight: a reset here is expected.
        } finally {
            open.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) socket.close();
    }
}
