package dev.polyserve.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine conformance suite for models whose handlers run in other JVMs ({@code prefork}, {@code process}).
 * It lives in package {@code dev.polyserve.core} so it can replace, one by one, the checks that look inside the
 * server's JVM; every other check of the suite runs unchanged.
 *
 * <p>Two translations, both forced by the process boundary:
 * <ul>
 *   <li>{@link #start} swaps the suite's echo lambda for {@link ChildServices.Echo}, the same handler as a named
 *       class, because a child JVM rebuilds its service from a class name.</li>
 *   <li>The write-queue-limit and timer checks are re-stated with named services and observed from outside
 *       (the socket, not {@code Conn.queuedBytes()} or {@code onClose} causes, which live in the child).</li>
 * </ul>
 */
abstract class MultiProcessConformance extends EngineConformanceSuite {
    private final List<Server> own = new ArrayList<>();

    /** Model-specific builder settings (the number of prefork workers). */
    protected Server.Builder configure(Server.Builder builder) {
        return builder;
    }

    @Override
    protected Server start(Server.Builder builder) throws IOException {
        return configure(builder).service(new ChildServices.Echo()).start();
    }

    /** A server of this model with {@code service} as given (no swap). */
    protected Server startOwn(UnaryOperator<Server.Builder> tweak, Service service) throws IOException {
        Server s = configure(tweak.apply(Server.tcp(0).host("127.0.0.1").model(model()).service(service))).start();
        own.add(s);
        return s;
    }

    @AfterEach
    void stopOwn() {
        for (Server s : own) s.stop(Duration.ofSeconds(2));
    }

    static Socket connectTo(Server s) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", s.localAddress().getPort()), 10_000);
        socket.setSoTimeout((int) DEADLINE.toMillis());
        return socket;
    }

    /**
     * Not re-stated here: a prefork worker runs the same engines, and the process model's child the same
     * {@code ConnBase} (over its stdout pipe), whose send-rate watch the in-process suites check.
     */
    @Test
    @Override
    void clientThatStopsReadingIsAbortedByTheSendRateWatchAndAReaderIsNot() {
        org.junit.jupiter.api.Assumptions.abort("the send-rate watch is checked by the in-process engine suites");
    }

    /**
     * The suite's check, from outside: a client that never reads is disconnected once the server holds more than
     * the write queue limit for it, and other clients are served meanwhile. (The handler's {@code onClose} cause
     * is logged by the child; this JVM cannot see it.)
     */
    @Test
    @Override
    void clientThatNeverReadsIsClosedAtItsQueueLimitWithoutDelayingOthers() throws Exception {
        Server server = startOwn(b -> b.writeQueueLimit(256 * 1024), new ChildServices.NonPausingEcho());
        try (Socket hog = connectTo(server)) {
            OutputStream hogOut = hog.getOutputStream();
            byte[] chunk = new byte[16 * 1024];
            AtomicReference<Throwable> hogEnded = new AtomicReference<>();
            Thread flooder = Thread.ofVirtual().start(() -> {
                try {
                    while (true) hogOut.write(chunk);
                } catch (IOException expected) {
                    hogEnded.set(expected);
                }
            });
            try (Socket other = connectTo(server)) {
                assertThat(roundTrip(other, "still served\n")).isEqualTo("still served\n");
            }
            flooder.join(DEADLINE.toMillis());
            assertThat(hogEnded.get()).as("the non-reading client was disconnected").isNotNull();
        }
        try (Socket after = connectTo(server)) {
            assertThat(roundTrip(after, "after the hog\n")).isEqualTo("after the hog\n");
        }
    }

    @Test
    @Override
    void writesFromOtherThreadsAndTimersArrive() throws Exception {
        Server server = startOwn(b -> b, new ChildServices.Ticking());
        try (Socket s = connectTo(server)) {
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            List<String> lines = List.of(reader.readLine(), reader.readLine());
            assertThat(lines).containsExactlyInAnyOrder("tick", "from another thread");
        }
    }
}
