package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.polyserve.core.Await;
import dev.polyserve.core.CapturedStderr;
import dev.polyserve.core.Engines;
import dev.polyserve.core.MinimumRate;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A response sent with {@code Connection: close} to a slow reader, on the engines that can ask the kernel what it
 * still holds. The handler closes after the response, and the kernel's send buffer (autotuned to about a megabyte
 * on loopback) takes the whole response at once: closed then, the socket would stay in the kernel with its unsent
 * bytes (FIN-WAIT-1) for as long as the reader acknowledges a few bytes at a time, with no deadline and no log line.
 * The send-rate watch must still judge it, and abort it with its log line; a reader that takes the response at once
 * must still get all of it and then the end of the stream.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HttpSlowReadCloseTest {
    /** 1 KiB/s over 2 s windows. */
    private static final MinimumRate SEND_RATE = new MinimumRate(1024, Duration.ofSeconds(2));
    /** Larger than the client's window by far, smaller than what the server's kernel takes into its send buffer. */
    private static final int FILE_BYTES = 256 * 1024;
    /** The slow reader: this many bytes at a time, then a pause: 256 B/s, a quarter of the minimum rate. */
    private static final int TRICKLE_BYTES = 64;
    private static final long TRICKLE_PAUSE_MS = 250;
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
    @ValueSource(strings = {"epoll", "poll", "epoll-et", "select"})
    void aClosingResponseTheKernelHoldsIsStillJudgedAndTheSlowReaderAborted(String model) throws Exception {
        assumeTrue(Engines.availableNames().contains(model), model + " does not run here");
        Files.write(root.resolve("file.bin"), new byte[FILE_BYTES]);
        ServerStats stats = new ServerStats();
        HttpOptions opts = HttpOptions.defaults().withSendRate(SEND_RATE);
        try (Server server = Server.tcp(0).host("127.0.0.1").model(model).workers(1).stats(stats)
                .service(new HttpService(new HttpApp().staticFiles(root), opts, stats)).start();
             Socket client = client(server, 4096)) {
            client.getOutputStream().write(("GET /file.bin HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String me = "aborting connection from " + client.getLocalSocketAddress() + ":";
            // Trickle: a few bytes, a pause, until the server's reset (or the end, which is the failure).
            client.setSoTimeout((int) TRICKLE_PAUSE_MS);
            InputStream in = client.getInputStream();
            byte[] chunk = new byte[TRICKLE_BYTES];
            long got = 0;
            boolean reset = false;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    int n = in.read(chunk);
                    if (n < 0) break;
                    got += n;
                } catch (SocketTimeoutException nothingYet) {
                    continue;
                } catch (SocketException e) {
                    reset = true;
                    break;
                }
                // The trickle is the client under test, not a wait for the server. Once the watch has logged its
                // abort, the rest of the receive buffer is read at once, up to the reset behind it.
                if (!log.text().contains(me)) Thread.sleep(TRICKLE_PAUSE_MS);
            }
            assertThat(reset).as("the slow reader was reset (read %d of %d bytes)", got, FILE_BYTES).isTrue();
            assertThat(got).as("bytes the slow reader got before the reset").isLessThan(FILE_BYTES);
            Await.until(DEADLINE, "the watch's log line", () -> log.text().contains(me));
            assertThat(log.text().lines().filter(l -> l.contains(me) && l.contains("waiting output")))
                    .as("one log line for the abort").hasSize(1);
            Await.until(DEADLINE, "the server to let go of the connection", () -> stats.open() == 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "poll", "epoll-et", "select"})
    void aReaderThatTakesTheClosingResponseGetsAllOfItAndTheEnd(String model) throws Exception {
        readsTheWholeClosingResponse(model, false);
    }

    /**
     * A client that shuts its side down after its request (netcat -N, some scripts): once the server has shut its
     * output too, the socket is shut both ways while the response may still be on its way, which a poller reports
     * as a hang-up; the client must still get all of it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "poll", "epoll-et", "select"})
    void aClientThatShutsItsSideAfterTheRequestGetsTheWholeClosingResponse(String model) throws Exception {
        readsTheWholeClosingResponse(model, true);
    }

    private void readsTheWholeClosingResponse(String model, boolean halfClose) throws Exception {
        assumeTrue(Engines.availableNames().contains(model), model + " does not run here");
        byte[] file = new byte[FILE_BYTES];
        ThreadLocalRandom.current().nextBytes(file);
        Files.write(root.resolve("file.bin"), file);
        ServerStats stats = new ServerStats();
        HttpOptions opts = HttpOptions.defaults().withSendRate(SEND_RATE);
        try (Server server = Server.tcp(0).host("127.0.0.1").model(model).workers(1).stats(stats)
                .service(new HttpService(new HttpApp().staticFiles(root), opts, stats)).start();
             Socket client = client(server, 0)) {
            client.getOutputStream().write(("GET /file.bin HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            if (halfClose) client.shutdownOutput();
            client.setSoTimeout((int) DEADLINE.toMillis());
            byte[] all = client.getInputStream().readAllBytes(); // to the end of the stream: the server's FIN
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int bodyAt = text.indexOf("\r\n\r\n") + 4;
            assertThat(text).startsWith("HTTP/1.1 200");
            assertThat(all.length - bodyAt).as("body bytes").isEqualTo(FILE_BYTES);
            assertThat(java.util.Arrays.copyOfRange(all, bodyAt, all.length)).isEqualTo(file);
            Await.until(DEADLINE, "the server to let go of the connection", () -> stats.open() == 0);
            assertThat(log.text()).doesNotContain("aborting connection from " + client.getLocalSocketAddress());
        }
    }

    /**
     * A client from an address of its own in 127/8 (slow-reader log lines are limited per address), with a small
     * receive window when {@code receiveBuffer} is not 0.
     */
    private static Socket client(Server server, int receiveBuffer) throws IOException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer); // before connecting: small from the start
        s.bind(new InetSocketAddress("127." + r.nextInt(1, 255) + "." + r.nextInt(1, 255) + "." + r.nextInt(1, 255), 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 10_000);
        return s;
    }
}
