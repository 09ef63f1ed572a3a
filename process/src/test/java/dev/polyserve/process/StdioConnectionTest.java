package dev.polyserve.process;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.engine.EngineContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The child's side of the process model, over in-memory pipes instead of the real stdin/stdout. */
class StdioConnectionTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 7000);

    private final PipedOutputStream peerWrites = new PipedOutputStream();
    private final ByteArrayOutputStream peerReads = new ByteArrayOutputStream();
    private final List<String> events = new CopyOnWriteArrayList<>();

    /** The peer's EOF ends each reader thread (they are named polyserve-*, and later suites count those). */
    @org.junit.jupiter.api.AfterEach
    void peerHangsUp() throws IOException {
        for (EngineContext ctx : contexts) ctx.closeConnections(Duration.ZERO);   // stops each context's timer thread
        peerWrites.close();
        dev.polyserve.core.Await.until(Duration.ofSeconds(10), "reader threads ended", () -> Thread.getAllStackTraces()
                .keySet().stream().noneMatch(t -> t.getName().equals("polyserve-process-stdin")));
    }

    private StdioConnection connection(Handler handler, long limit, Duration idle) throws IOException {
        PipedInputStream stdin = new PipedInputStream(peerWrites, 64 * 1024);
        return new StdioConnection(context(handler, limit, idle), handler, stdin, Channels.newChannel(peerReads), PEER, LOCAL);
    }

    private final List<EngineContext> contexts = new CopyOnWriteArrayList<>();

    /** What the process engine gives its one connection: the server's limits, counters and timer. */
    private EngineContext context(Handler handler, long limit, Duration idle) {
        EngineContext ctx = new EngineContext("process", Server.tcp(0).writeQueueLimit(limit).idleTimeout(idle).config(),
                () -> handler, stats);
        contexts.add(ctx);
        return ctx;
    }

    private static final ServerStats stats = new ServerStats();

    private Handler echo() {
        return new Handler() {
            @Override
            public void onOpen(Conn c) {
                events.add("open " + c.remote());
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {
                c.write(ByteBuffer.allocate(in.remaining()).put(in).flip());
            }

            @Override
            public void onReadEnd(Conn c) {
                events.add("eof");
                c.close();
            }

            @Override
            public void onIdle(Conn c) {
                events.add("idle");
                c.close();
            }

            @Override
            public void onClose(Conn c, Throwable cause) {
                events.add("close " + (cause == null ? "clean" : cause.getClass().getSimpleName()));
            }
        };
    }

    @Test
    void echoesUntilEofThenFlushesAndCloses() throws Exception {
        var done = connection(echo(), 1 << 20, Duration.ZERO).start();
        peerWrites.write("hello\nworld\n".getBytes(StandardCharsets.US_ASCII));
        peerWrites.close();
        done.get(10, TimeUnit.SECONDS);
        assertThat(peerReads.toString(StandardCharsets.US_ASCII)).isEqualTo("hello\nworld\n");
        assertThat(events).containsExactly("open " + PEER, "eof", "close clean");
        assertThat(stats.open()).as("counted open and closed like any engine's connection").isZero();
    }

    @Test
    void pausedReadingHoldsThePeersBytesUntilResumed() throws Exception {
        var paused = new java.util.concurrent.atomic.AtomicReference<Conn>();
        Handler h = new Handler() {
            @Override
            public void onOpen(Conn c) {
                c.pauseReading();
                paused.set(c);
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {
                events.add("read " + StandardCharsets.US_ASCII.decode(in));
                c.close();
            }
        };
        var done = connection(h, 1 << 20, Duration.ZERO).start();
        dev.polyserve.core.Await.until(Duration.ofSeconds(10), "opened", () -> paused.get() != null);
        peerWrites.write("x".getBytes(StandardCharsets.US_ASCII));
        peerWrites.flush();
        assertThat(done).isNotDone();
        assertThat(events).isEmpty();
        paused.get().executor().execute(paused.get()::resumeReading);
        done.get(10, TimeUnit.SECONDS);
        assertThat(events).containsExactly("read x");
    }

    @Test
    void aReaderThatDoesNotKeepUpIsAbortedAtTheLimit() throws Exception {
        Handler flood = new Handler() {
            @Override
            public void onOpen(Conn c) {
                for (int i = 0; i < 100; i++) c.write(ByteBuffer.allocate(1024));   // 100 KiB > 10 KiB limit
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {}
        };
        // A stdout that never accepts a byte: the writer thread blocks, so the queue only grows.
        var stuck = new java.nio.channels.WritableByteChannel() {
            final java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
            volatile boolean open = true;

            @Override
            public int write(ByteBuffer src) throws IOException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("closed");
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
                never.countDown();
            }
        };
        var conn = new StdioConnection(context(flood, 10 * 1024, Duration.ZERO), flood, new PipedInputStream(peerWrites), stuck,
                PEER, LOCAL);
        conn.start().get(10, TimeUnit.SECONDS);
        assertThat(conn.isOpen()).isFalse();
        assertThat(stuck.isOpen()).isFalse();
    }

    @Test
    void idleTimeoutCallsOnIdle() throws Exception {
        var done = connection(echo(), 1 << 20, Duration.ofMillis(200)).start();
        done.get(10, TimeUnit.SECONDS);
        assertThat(events).containsExactly("open " + PEER, "idle", "close clean");
    }
}
