package dev.polyserve.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.polyserve.core.Await;
import dev.polyserve.core.CapturedStderr;
import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.MinimumRate;
import dev.polyserve.core.Server;
import dev.polyserve.core.Service;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The send-rate watch ({@code --send-timeout}, {@link Conn#requireSendRate}) against raw socket clients that take
 * their output slowly or not at all. It must end such a connection within its window, with one log line; on the
 * engines that ask the kernel (SIOCOUTQ) also when the whole response already sits in the socket's send buffer,
 * where the process sees nothing waiting. The only timing asserted is that deadline, with generous slack for a
 * loaded machine.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SendRateWatchTest {
    /** 1 KiB/s over 2 s windows: 2,048 bytes a window. */
    private static final MinimumRate RATE = new MinimumRate(1024, Duration.ofSeconds(2));
    /** The slow reader's pace: 64 bytes every 250 ms, 512 bytes a window, a quarter of the rate. */
    private static final int SLOW_READ_BYTES = 64;
    private static final Duration SLOW_READ_EVERY = Duration.ofMillis(250);
    /**
     * When the abort must have happened: the watch looks back one window at each of its checks, a quarter window
     * apart, so 1.25 windows after the output began to wait; the rest is slack for timers on a loaded machine.
     */
    private static final Duration DEADLINE = RATE.window().multipliedBy(5).dividedBy(4).plusSeconds(30);

    private final ConcurrentLinkedQueue<Throwable> causes = new ConcurrentLinkedQueue<>();
    private CapturedStderr log;
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void captureTheLog() {
        log = new CapturedStderr();
    }

    @AfterEach
    void restore() {
        log.close();
        pacer.shutdownNow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "threads", "epoll", "uring"})
    void aClientReadingALargeResponseSlowlyIsAbortedWithinTheWindowWithOneLogLine(String model) throws Exception {
        skipUringWhereRefused(model);
        try (Server server = start(model, 3 << 20); Socket client = slowClient(server)) {
            AtomicBoolean ended = new AtomicBoolean();
            InputStream in = client.getInputStream();
            byte[] some = new byte[SLOW_READ_BYTES];
            pacer.scheduleWithFixedDelay(() -> {
                if (ended.get()) return;
                try {
                    if (in.read(some) < 0) ended.set(true);
                } catch (IOException reset) {
                    ended.set(true);
                }
            }, 0, SLOW_READ_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            client.getOutputStream().write('x');

            Await.until(DEADLINE, "the watch to abort the slow reader", () -> !causes.isEmpty());
            assertAbortedWithOneLogLine(client);
            // The client still holds a receive buffer's worth, which it would take its time over: drain it at once,
            // then it sees the end.
            ended.set(true);
            pacer.shutdown();
            assertThat(pacer.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            client.setSoTimeout((int) DEADLINE.toMillis());
            assertThat(endOfStream(in)).as("the slow reader was disconnected").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "poll", "uring"})
    void aResponseTheKernelHoldsForAClientThatDoesNotReadIsJudgedToo(String model) throws Exception {
        skipUringWhereRefused(model);
        // Far smaller than the server socket's send buffer (16 KiB at least), larger than the client's window.
        int response = 8 * 1024;
        try (Server server = start(model, response); Socket client = slowClient(server)) {
            long pressuresBefore = tcpMemoryPressures();
            client.getOutputStream().write('x');
            // Nothing waits in the process: the kernel took it all, and the client takes none of it.
            try {
                Await.until(DEADLINE, "the kernel to take the whole response", () -> server.stats().bytesOut() >= response);
            } catch (AssertionError notTaken) {
                // Under TCP memory pressure (other load on the machine holding many full socket buffers) the kernel
                // lets a socket queue little, not even these 8 KiB: the case this test is about cannot be set up.
                assumeTrue(tcpMemoryPressures() == pressuresBefore && !tcpMemoryNearPressure(),
                        "the kernel is under TCP memory pressure; a send buffer cannot hold the response here");
                throw notTaken;
            }

            Await.until(DEADLINE, "the watch to abort the client that does not read", () -> !causes.isEmpty());
            assertAbortedWithOneLogLine(client);
        }
    }

    /** The kernel's count of entries into TCP memory pressure (TcpExt TCPMemoryPressures in /proc/net/netstat). */
    private static long tcpMemoryPressures() throws IOException {
        List<String> tcpExt = Files.readAllLines(Path.of("/proc/net/netstat")).stream()
                .filter(l -> l.startsWith("TcpExt:")).toList();
        List<String> names = List.of(tcpExt.get(0).split(" "));
        return Long.parseLong(tcpExt.get(1).split(" ")[names.indexOf("TCPMemoryPressures")]);
    }

    /** Whether TCP's memory in use (pages, /proc/net/sockstat) is at or past the low mark of net.ipv4.tcp_mem. */
    private static boolean tcpMemoryNearPressure() throws IOException {
        String tcp = Files.readAllLines(Path.of("/proc/net/sockstat")).stream()
                .filter(l -> l.startsWith("TCP:")).findFirst().orElseThrow();
        List<String> fields = List.of(tcp.split(" "));
        long pages = Long.parseLong(fields.get(fields.indexOf("mem") + 1));
        // readAllLines, not readString: on this sysctl file the JDK's readString returned only its first byte.
        long low = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/ipv4/tcp_mem")).get(0).trim().split("\\s+")[0]);
        return pages >= low;
    }

    /** Reads to the end: true at EOF or a reset, which is how an aborted connection ends. */
    private static boolean endOfStream(InputStream in) {
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void skipUringWhereRefused(String model) {
        if (!model.equals("uring")) return;
        var refused = LinuxEngineProvider.uringRefusal();
        assumeTrue(refused.isEmpty(), () -> refused.orElse(""));
    }

    /** Answers a client's first byte with {@code total} bytes and keeps the connection open, watched at RATE. */
    private Server start(String model, int total) throws IOException {
        Service producer = () -> new Handler() {
            boolean answered;

            @Override
            public void onOpen(Conn c) {
                c.requireSendRate(RATE);
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {
                in.position(in.limit());
                if (answered) return;
                answered = true;
                for (int queued = 0; queued < total; queued += 64 * 1024) {
                    c.write(ByteBuffer.allocate(Math.min(64 * 1024, total - queued)));
                }
            }

            @Override
            public void onClose(Conn c, Throwable cause) {
                if (cause != null) causes.add(cause);
            }
        };
        return Server.tcp(0).host("127.0.0.1").model(model).workers(1).service(producer).start();
    }

    /**
     * A client with a small receive window, from an address of its own in 127/8: the slow-reader log lines are
     * limited per address, and other tests in this JVM abort clients from 127.0.0.1.
     */
    private static Socket slowClient(Server server) throws IOException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Socket s = new Socket();
        s.setReceiveBufferSize(4096); // before connecting, so the window is small from the start
        s.bind(new InetSocketAddress("127." + r.nextInt(1, 255) + "." + r.nextInt(1, 255) + "." + r.nextInt(1, 255), 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 10_000);
        return s;
    }

    private void assertAbortedWithOneLogLine(Socket client) {
        Await.until(DEADLINE, "the handler to see the watch's cause",
                () -> causes.stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("waiting output")));
        String me = "aborting connection from " + client.getLocalSocketAddress() + ":";
        Await.until(DEADLINE, "the abort to be logged", () -> log.text().contains(me));
        assertThat(log.text().lines().filter(l -> l.contains(me) && l.contains("waiting output")))
                .as("one log line for the abort").hasSize(1);
    }
}
