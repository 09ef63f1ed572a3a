package dev.polyserve.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import dev.polyserve.core.TestHandlers;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The gate in front of an echo service, on real loopback sockets, with the blocking client half. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class HmacGateSocketTest {
    static final HmacKey KEY = new HmacKey("user", "a-shared-secret-0123456789".getBytes(StandardCharsets.UTF_8));
    static final HmacKey WRONG = new HmacKey("user", "not-the-secret-0123456789".getBytes(StandardCharsets.UTF_8));
    /** Short, so the "no answer" case finishes quickly; the test waits on the close, not on a clock. */
    static final Duration DEADLINE = Duration.ofMillis(300);

    private Server server;

    static Stream<String> models() {
        return Engines.availableNames().stream();
    }

    private int start(String model) throws IOException {
        server = Server.tcp(0).model(model)
                .service(new HmacGate(TestHandlers.echo(), List.of(KEY), DEADLINE)).start();
        return server.localAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void rightKeyPassesAndTheServiceAnswers(String model) throws Exception {
        int port = start(model);
        try (Socket s = connect(port)) {
            HmacClient.answer(s, KEY);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("ping");
        }
        try (SocketChannel ch = SocketChannel.open(server.localAddress())) {
            HmacClient.answer(ch, KEY);
            ch.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer back = ByteBuffer.allocate(4);
            while (back.hasRemaining()) assertThat(ch.read(back)).isNotNegative();
            assertThat(new String(back.array(), StandardCharsets.UTF_8)).isEqualTo("pong");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void wrongKeyIsClosedWithoutAnEcho(String model) throws Exception {
        int port = start(model);
        try (Socket s = connect(port)) {
            HmacClient.answer(s, WRONG);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            assertThat(readToEnd(s.getInputStream())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void truncatedAnswerIsClosed(String model) throws Exception {
        int port = start(model);
        try (Socket s = connect(port)) {
            byte[] challenge = s.getInputStream().readNBytes(HmacGate.CHALLENGE_BYTES);
            byte[] answer = HmacClient.answer(KEY, challenge);
            s.getOutputStream().write(Arrays.copyOf(answer, 20));
            s.shutdownOutput();
            assertThat(readToEnd(s.getInputStream())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void noAnswerIsClosedAtTheDeadline(String model) throws Exception {
        int port = start(model);
        try (Socket s = connect(port)) {
            assertThat(s.getInputStream().readNBytes(HmacGate.CHALLENGE_BYTES)).hasSize(HmacGate.CHALLENGE_BYTES);
            assertThat(readToEnd(s.getInputStream())).isEmpty();   // returns when the server closes
            // Too late now: the answer goes nowhere.
            assertThatThrownBy(() -> HmacClient.answer(s, KEY)).isInstanceOfAny(EOFException.class, SocketException.class);
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];   // a reset is a close too
        }
    }
}
