package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.polyserve.core.Await;
import dev.polyserve.core.CapturedStderr;
import dev.polyserve.core.Engines;
import dev.polyserve.core.MinimumRate;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.tls.TestTls;
import dev.polyserve.core.tls.TlsService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A slow reader whose response the kernel's send buffer took whole, on the engines that can ask the kernel what it
 * still holds: the keep-alive timeout must not end the connection while the response is on its way (closed, the
 * socket would stay in the kernel with its unsent bytes and no deadline, kept alive by the reader acknowledging a
 * few bytes at a time), and the send-rate watch must abort it, with its log line. The keep-alive timeout here is
 * shorter than the watch's window, as the defaults are (15 s against 20 s). Over HTTPS too: the TLS layer's connection
 * must pass the kernel's count on, or the HTTP handler sees an idle connection and closes it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HttpSlowReadTest {
    /** 1 KiB/s over 2 s windows. */
    private static final MinimumRate SEND_RATE = new MinimumRate(1024, Duration.ofSeconds(2));
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(1);
    /** Far smaller than a server socket's send buffer (16 KiB at least), larger than the client's window. */
    private static final int FILE_BYTES = 8 * 1024;
    /** The watch aborts within 1.25 windows of the output starting to wait; the rest is slack for a loaded machine. */
    private static final Duration DEADLINE = SEND_RATE.window().multipliedBy(5).dividedBy(4).plusSeconds(30);

    private CapturedStderr log;

    @TempDir
    Path root;

    @BeforeEach
    void captureTheLog() {
        log = new CapturedStderr();
    }

    @AfterEach
    void restore() {
        log.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "poll", "uring"})
    void aResponseTheKernelHoldsOutlivesTheKeepAliveTimeoutUntilTheWatchAbortsTheReader(String model) throws Exception {
        assumeTrue(Engines.availableNames().contains(model), model + " does not run here");
        Files.write(root.resolve("file.bin"), new byte[FILE_BYTES]);
        ServerStats stats = new ServerStats();
        HttpOptions opts = HttpOptions.defaults().withKeepAliveTimeout(KEEP_ALIVE).withSendRate(SEND_RATE);
        try (Server server = Server.tcp(0).host("127.0.0.1").model(model).workers(1).stats(stats)
                .service(new HttpService(new HttpApp().staticFiles(root), opts, stats)).start();
             Socket client = slowClient(server)) {
            client.getOutputStream().write("GET /file.bin HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Await.until(DEADLINE, "the kernel to take the whole response", () -> stats.bytesOut() > FILE_BYTES);

            String me = "aborting connection from " + client.getLocalSocketAddress() + ":";
            Await.until(DEADLINE, "the watch to abort the reader", () -> log.text().contains(me));
            assertThat(log.text().lines().filter(l -> l.contains(me) && l.contains("waiting output")))
                    .as("one log line for the abort").hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "poll", "uring"})
    void overTlsTooTheKernelHeldResponseOutlivesTheKeepAliveTimeoutUntilTheWatchAbortsTheReader(String model) throws Exception {
        assumeTrue(Engines.availableNames().contains(model), model + " does not run here");
        Files.write(root.resolve("file.bin"), new byte[FILE_BYTES]);
        ServerStats stats = new ServerStats();
        HttpOptions opts = HttpOptions.defaults().withKeepAliveTimeout(KEEP_ALIVE).withSendRate(SEND_RATE);
        HttpService http = new HttpService(new HttpApp().staticFiles(root), opts, stats);
        try (Server server = Server.tcp(0).host("127.0.0.1").model(model).workers(1).stats(stats)
                .service(TlsService.of(http, TestTls.server(), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT)).start();
             Socket plain = slowClient(server);
             SSLSocket client = TestTls.over(plain)) {
            client.startHandshake();
            long afterHandshake = stats.bytesOut();
            client.getOutputStream().write("GET /file.bin HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            Await.until(DEADLINE, "the kernel to take the whole response",
                    () -> stats.bytesOut() > afterHandshake + FILE_BYTES);

            String me = "aborting connection from " + plain.getLocalSocketAddress() + ":";
            Await.until(DEADLINE, "the watch to abort the reader", () -> log.text().contains(me));
            assertThat(log.text().lines().filter(l -> l.contains(me) && l.contains("waiting output")))
                    .as("one log line for the abort").hasSize(1);
        }
    }

    /**
     * A client with a small receive window that reads nothing, from an address of its own in 127/8: slow-reader
     * log lines are limited per address.
     */
    private static Socket slowClient(Server server) throws IOException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Socket s = new Socket();
        s.setReceiveBufferSize(4096); // before connecting, so the window is small from the start
        s.bind(new InetSocketAddress("127." + r.nextInt(1, 255) + "." + r.nextInt(1, 255) + "." + r.nextInt(1, 255), 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 10_000);
        return s;
    }
}
