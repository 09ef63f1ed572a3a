package dev.polyserve.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.MinimumRate;
import dev.polyserve.core.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the TLS layer puts on the wire, and when, checked record by record against the JDK's client engine in memory
 * (no sockets, no timing): the connection's bytes are only what the layer wrote.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class TlsRecordOrderTest {

    /**
     * A TLS 1.3 server's NewSessionTicket is held back until the server next sends: a client that only uploads never
     * reads it, and would otherwise close with it unread, which TCP turns into a reset that destroys the end of the
     * upload (proftpd issue 959; lftp's FTPS uploads). Held, not dropped: the next record still decrypts.
     */
    @Test
    void theSessionTicketWaitsForTheServersFirstBytesAndTheOrderHolds() throws Exception {
        AtomicReference<Conn> facade = new AtomicReference<>();
        Handler inner = new Handler() {
            @Override
            public void onOpen(Conn c) {
                facade.set(c);
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {
                in.position(in.limit()); // an upload: the server says nothing
            }
        };
        FakeConn raw = new FakeConn();
        Handler server = TlsService.of(() -> inner, TestTls.server(), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT).newHandler();
        server.onOpen(raw);
        SSLEngine client = TestTls.client().createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        client.beginHandshake();
        ByteBuffer toClient = ByteBuffer.allocate(1 << 16).flip();
        ByteBuffer app = ByteBuffer.allocate(1 << 16);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (facade.get() == null || client.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            assertThat(System.nanoTime()).as("the handshake completes").isLessThan(deadline);
            raw.runTasks();
            toClient = raw.takeInto(toClient);
            HandshakeStatus hs = client.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                for (Runnable t; (t = client.getDelegatedTask()) != null; ) t.run();
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
                client.wrap(ByteBuffer.allocate(0), out);
                server.onRead(raw, out.flip());
            } else if (hs == HandshakeStatus.NEED_UNWRAP && toClient.hasRemaining()) {
                client.unwrap(toClient, app);
            } else {
                Thread.onSpinWait(); // a delegated task runs on the server's virtual thread: poll until its result is in
            }
        }
        raw.runTasks();
        assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(toClient.remaining() + raw.written.size())
                .as("after the handshake the server has sent nothing the client has not read").isZero();

        facade.get().write(ByteBuffer.wrap("226 Transfer complete\r\n".getBytes(StandardCharsets.US_ASCII)));
        toClient = raw.takeInto(toClient);
        assertThat(toClient.remaining()).as("the held ticket and the reply go out now").isPositive();
        app.clear();
        while (toClient.hasRemaining()) {
            SSLEngineResult r = client.unwrap(toClient, app);
            assertThat(r.getStatus()).isEqualTo(SSLEngineResult.Status.OK);
        }
        assertThat(new String(app.array(), 0, app.position(), StandardCharsets.US_ASCII))
                .as("the reply decrypts behind the ticket: record order and sequence numbers kept")
                .isEqualTo("226 Transfer complete\r\n");
    }

    /** A connection with no socket: writes are recorded, tasks queue until the test runs them (the serial context). */
    static final class FakeConn implements Conn {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private boolean open = true;

        void runTasks() {
            for (Runnable r; (r = tasks.poll()) != null; ) r.run();
        }

        /** {@code buf} (read mode) with every byte written since the last call appended. */
        synchronized ByteBuffer takeInto(ByteBuffer buf) {
            byte[] b = written.toByteArray();
            written.reset();
            ByteBuffer out = ByteBuffer.allocate(buf.remaining() + b.length);
            out.put(buf).put(b);
            return out.flip();
        }

        @Override public synchronized void write(ByteBuffer out) {
            byte[] b = new byte[out.remaining()];
            out.get(b);
            written.writeBytes(b);
        }
        @Override public void sendFile(FileChannel file, long position, long count) { throw new UnsupportedOperationException(); }
        @Override public long queuedBytes() { return 0; }
        @Override public void requireSendRate(MinimumRate rate) {}
        @Override public void pauseReading() {}
        @Override public void resumeReading() {}
        @Override public void close() { open = false; }
        @Override public void abort() { open = false; }
        @Override public boolean isOpen() { return open; }
        @Override public Executor executor() { return tasks::add; }
        @Override public ScheduledFuture<?> schedule(Duration delay, Runnable task) { return new NeverFires(); }
        @Override public SocketAddress remote() { return new InetSocketAddress("127.0.0.1", 40000); }
        @Override public SocketAddress local() { return new InetSocketAddress("127.0.0.1", 7000); }
        @Override public String model() { return "fake"; }
    }

    /** A timer that the test never lets fire (the handshake deadline is not under test here). */
    static final class NeverFires extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        @Override public long getDelay(TimeUnit unit) { return Long.MAX_VALUE; }
        @Override public int compareTo(Delayed o) { return 0; }
    }
}
