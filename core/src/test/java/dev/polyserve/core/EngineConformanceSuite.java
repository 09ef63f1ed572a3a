package dev.polyserve.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every engine must do, checked on loopback with plain blocking client sockets. A module adds its models
 * by extending this class once per model. Deadlines here only stop a hung test; nothing asserts speed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class EngineConformanceSuite {
    /** Clients and messages per client in the concurrency check (the foundation issue's numbers). */
    static final int CLIENTS = 200;
    static final int MESSAGES = 1_000;
    static final int LARGE_PAYLOAD = 10 << 20;
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private final List<Server> servers = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    /** The model under test, as given to {@code --model}. */
    protected abstract String model();

    /** The iterative model serves one client at a time; the checks that need overlap skip that part. */
    protected boolean servesClientsConcurrently() {
        return !model().equals("iterative");
    }

    /** A layer put around every service under test (the TLS runs wrap it in TLS); none by default. */
    protected Service layer(Service service) {
        return service;
    }

    /** The client side of {@link #layer}: a connected plain socket, made ready to talk through the layer. */
    protected Socket clientOver(Socket connected) throws IOException {
        return connected;
    }

    /** Clients and messages each in the concurrency check; layered runs on slow models use fewer. */
    protected int clients() {
        return CLIENTS;
    }

    protected int messages() {
        return MESSAGES;
    }

    /** What a client refused because the server is full sees: by default the service's refusal bytes. */
    protected void assertRefused(Socket refused, String refusal) throws IOException {
        assertThat(new String(refused.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(refusal);
    }

    /** Starts the server; engines that are not in-process can override this. */
    protected Server start(Server.Builder builder) throws IOException {
        return builder.start();
    }

    private Server echoServer(java.util.function.UnaryOperator<Server.Builder> tweak, Service service) throws IOException {
        Server s = start(tweak.apply(Server.tcp(0).host("127.0.0.1").model(model()).service(layer(service))));
        servers.add(s);
        return s;
    }

    private Server echoServer() throws IOException {
        return echoServer(b -> b, TestHandlers.echo());
    }

    private Socket connect(Server s) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", s.localAddress().getPort()), 10_000);
        socket.setSoTimeout((int) DEADLINE.toMillis());
        socket.setTcpNoDelay(true);
        Socket layered = clientOver(socket);
        synchronized (sockets) {
            sockets.add(layered);
        }
        return layered;
    }

    @AfterEach
    void tearDown() throws IOException {
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
        for (Server s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void manyClientsEchoExactBytesConcurrently() throws Exception {
        Server server = echoServer();
        // A model that serves one client at a time keeps every other client in the backlog meanwhile: their first
        // read would wait for all the clients before them (past the socket's read deadline on a loaded machine),
        // so there they run one after another; every model still echoes the same 200 x 1,000 messages.
        try (ExecutorService clients = servesClientsConcurrently()
                ? Executors.newVirtualThreadPerTaskExecutor() : Executors.newSingleThreadExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            int messages = messages();
            for (int c = 0; c < clients(); c++) {
                int id = c;
                results.add(clients.submit(() -> {
                    try (Socket s = connect(server)) {
                        OutputStream out = s.getOutputStream();
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        int ok = 0;
                        for (int m = 0; m < messages; m++) {
                            byte[] msg = ("client " + id + " message " + m + "\n").getBytes(StandardCharsets.US_ASCII);
                            out.write(msg);
                            byte[] back = new byte[msg.length];
                            in.readFully(back);
                            if (Arrays.equals(msg, back)) {
                                ok++;
                            }
                        }
                        return ok;
                    }
                }));
            }
            for (Future<Integer> r : results) {
                assertThat(r.get(2, TimeUnit.MINUTES)).isEqualTo(messages);
            }
        }
    }

    @Test
    void largePayloadRoundTripsIntact() throws Exception {
        Server server = echoServer();
        byte[] payload = new byte[LARGE_PAYLOAD];
        new Random(42).nextBytes(payload);
        try (Socket s = connect(server)) {
            // Write and read at once: the echo comes back while we are still sending.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(payload);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = new byte[payload.length];
            new DataInputStream(s.getInputStream()).readFully(back);
            writer.join();
            assertThat(Arrays.equals(payload, back)).as("10 MiB echoed byte for byte").isTrue();
        }
    }

    @Test
    void halfCloseStillFlushesEverything() throws Exception {
        Server server = echoServer();
        byte[] payload = new byte[256 * 1024];
        new Random(7).nextBytes(payload);
        try (Socket s = connect(server)) {
            s.getOutputStream().write(payload);
            s.shutdownOutput();
            byte[] back = s.getInputStream().readAllBytes(); // up to the server's EOF
            assertThat(back.length).isEqualTo(payload.length);
            assertThat(Arrays.equals(payload, back)).isTrue();
        }
    }

    @Test
    void clientThatNeverReadsIsClosedAtItsQueueLimitWithoutDelayingOthers() throws Exception {
        long limit = 256 * 1024;
        ConcurrentLinkedQueue<Conn> conns = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> closeCauses = new ConcurrentLinkedQueue<>();
        Service tracked = () -> new Handler() {
            @Override
            public void onOpen(Conn c) {
                conns.add(c);
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {
                c.write(ByteBuffer.allocate(in.remaining()).put(in).flip());
            }

            @Override
            public void onClose(Conn c, Throwable cause) {
                if (cause != null) {
                    closeCauses.add(cause);
                }
            }
        };
        Server server = echoServer(b -> b.writeQueueLimit(limit), tracked);
        Socket hog = connect(server);
        OutputStream hogOut = hog.getOutputStream();
        byte[] chunk = new byte[(int) (limit / 4)];
        AtomicReference<Throwable> hogEnded = new AtomicReference<>();

        if (servesClientsConcurrently()) {
            // Fill the hog's path until the server holds unsent bytes for it: its writer is now stuck.
            // One chunk at a time, each read by the server before the next, so the queue grows by at most a
            // chunk per step and is seen backed up well before it reaches the limit.
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            long sent = 0;
            while (conns.stream().noneMatch(c -> c.queuedBytes() > 0)) {
                assertThat(System.nanoTime()).as("the server queues for the non-reading client in time").isLessThan(deadline);
                hogOut.write(chunk);
                long expected = sent += chunk.length;
                Await.until(DEADLINE, "the server to read what the hog sent", () -> server.stats().bytesIn() >= expected);
            }
            // Another client is served while the hog stalls.
            try (Socket other = connect(server)) {
                assertThat(roundTrip(other, "still served\n")).isEqualTo("still served\n");
            }
        }
        Thread flooder = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    hogOut.write(chunk);
                }
            } catch (IOException expected) {
                hogEnded.set(expected);
            }
        });
        flooder.join(DEADLINE.toMillis());
        assertThat(hogEnded.get()).as("the non-reading client was disconnected").isNotNull();
        Await.until(DEADLINE, "the handler to see the queue-limit cause",
                () -> closeCauses.stream().anyMatch(t -> t instanceof WriteQueueFullException));
        try (Socket after = connect(server)) {
            assertThat(roundTrip(after, "after the hog\n")).isEqualTo("after the hog\n");
        }
    }

    /** Answers a client's first bytes with {@code total} bytes, then closes; watched at {@code rate}. */
    private static Service producer(long total, MinimumRate rate, ConcurrentLinkedQueue<Throwable> causes) {
        return () -> new Handler() {
            boolean answered;

            @Override
            public void onOpen(Conn c) {
                c.requireSendRate(rate);
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {
                in.position(in.limit());
                if (answered) return;
                answered = true;
                for (long queued = 0; queued < total; queued += 64 * 1024) c.write(ByteBuffer.allocate(64 * 1024));
                c.close();
            }

            @Override
            public void onClose(Conn c, Throwable cause) {
                if (cause != null) causes.add(cause);
            }
        };
    }

    @Test
    void clientThatStopsReadingIsAbortedByTheSendRateWatchAndAReaderIsNot() throws Exception {
        // 4 KiB a second over 1 s windows: any client that reads at all keeps it; one that never reads cannot.
        MinimumRate rate = new MinimumRate(4096, Duration.ofSeconds(1));
        long total = 3L << 20; // under the default 4 MiB write queue limit, far over a small receive window
        ConcurrentLinkedQueue<Throwable> causes = new ConcurrentLinkedQueue<>();
        Server server = echoServer(b -> b, producer(total, rate, causes));
        try (Socket reader = connect(server)) {
            reader.getOutputStream().write('x');
            long got = 0;
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = reader.getInputStream().read(buf)) > 0; ) got += n;
            assertThat(got).as("a reader gets everything, then EOF").isEqualTo(total);
        }
        assertThat(causes).isEmpty();
        Socket stalled = new Socket();
        stalled.setReceiveBufferSize(4096); // before connecting, so the window is small from the start
        stalled.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 10_000);
        Socket stalledLayered = clientOver(stalled);
        synchronized (sockets) {
            sockets.add(stalledLayered);
        }
        stalledLayered.getOutputStream().write('x');
        stalledLayered.getOutputStream().flush();
        Await.until(DEADLINE, "the watch to abort the client that does not read",
                () -> causes.stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("waiting output")));
        try (Socket after = connect(server)) {
            after.getOutputStream().write('x');
            assertThat(after.getInputStream().read()).as("the server still serves").isEqualTo(0);
        }
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        Server server = echoServer(b -> b.idleTimeout(Duration.ofMillis(300)), TestHandlers.echo());
        try (Socket s = connect(server)) {
            assertThat(roundTrip(s, "hello\n")).isEqualTo("hello\n");
            assertThat(s.getInputStream().read()).as("EOF from the idle timeout").isEqualTo(-1);
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWithTheServicesReply() throws Exception {
        Service limited = new Service() {
            @Override
            public Handler newHandler() {
                return TestHandlers.echo().newHandler();
            }

            @Override
            public byte[] refusal() {
                return "busy\n".getBytes(StandardCharsets.US_ASCII);
            }
        };
        Server server = echoServer(b -> b.maxConnections(1), limited);
        try (Socket first = connect(server)) {
            assertThat(roundTrip(first, "one\n")).isEqualTo("one\n");
            if (servesClientsConcurrently()) {
                try (Socket second = connect(server)) {
                    assertRefused(second, "busy\n");
                }
                assertThat(server.stats().refused()).isEqualTo(1);
            }
        }
    }

    @Test
    void writesFromOtherThreadsAndTimersArrive() throws Exception {
        Service ticking = () -> new Handler() {
            @Override
            public void onOpen(Conn c) {
                c.schedule(Duration.ofMillis(20), () -> c.write(ascii("tick\n")));
                Thread.ofVirtual().start(() -> c.write(ascii("from another thread\n")));
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {}
        };
        Server server = echoServer(b -> b, ticking);
        try (Socket s = connect(server)) {
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            List<String> lines = List.of(reader.readLine(), reader.readLine());
            assertThat(lines).containsExactlyInAnyOrder("tick", "from another thread");
        }
    }

    @Test
    void gracefulShutdownReleasesEveryThreadAndDescriptor() throws Exception {
        // Warm up once so lazily opened JDK descriptors (jars, epoll, random) are in the baseline.
        Server warm = echoServer();
        try (Socket s = connect(warm)) {
            roundTrip(s, "warm\n");
        }
        warm.stop(Duration.ofSeconds(2));
        Await.until(DEADLINE, () -> "no polyserve threads after warm-up: " + ProcessResources.polyserveThreads(),
                () -> ProcessResources.polyserveThreads().isEmpty());
        int baseline = ProcessResources.openFileDescriptors();

        Server server = start(Server.tcp(0).host("127.0.0.1").model(model()).service(layer(TestHandlers.echo())));
        List<Socket> clients = new CopyOnWriteArrayList<>();
        int n = servesClientsConcurrently() ? 5 : 1;
        for (int i = 0; i < n; i++) {
            Socket s = clientOver(new Socket("127.0.0.1", server.localAddress().getPort()));
            s.setSoTimeout((int) DEADLINE.toMillis());
            clients.add(s);
            assertThat(roundTrip(s, "before stop\n")).isEqualTo("before stop\n");
        }
        server.stop(Duration.ofSeconds(5));
        for (Socket s : clients) {
            assertThat(s.getInputStream().read()).as("client sees the server close").isEqualTo(-1);
            s.close();
        }
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", server.localAddress().getPort()).close(),
                "the port no longer accepts");
        Await.until(DEADLINE, () -> "polyserve threads gone, still: " + ProcessResources.polyserveThreads(),
                () -> ProcessResources.polyserveThreads().isEmpty());
        Await.until(DEADLINE, () -> "descriptors back to " + baseline + ", now " + ProcessResources.openFileDescriptors()
                + " " + ProcessResources.describeFds(), () -> ProcessResources.openFileDescriptors() <= baseline);
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String roundTrip(Socket s, String message) throws IOException {
        byte[] msg = message.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(msg);
        InputStream in = s.getInputStream();
        byte[] back = new DataInputStream(in).readNBytes(msg.length);
        return new String(back, StandardCharsets.US_ASCII);
    }
}
