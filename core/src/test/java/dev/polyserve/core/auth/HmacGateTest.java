package dev.polyserve.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HmacGateTest {
    static final HmacKey USER = new HmacKey("user", "0123456789abcdef-user".getBytes(StandardCharsets.UTF_8));
    static final HmacKey ADMIN = new HmacKey("admin", "0123456789abcdef-admin".getBytes(StandardCharsets.UTF_8));
    static final HmacKey STRANGER = new HmacKey("user", "0123456789abcdef-nope".getBytes(StandardCharsets.UTF_8));

    /** The wrapped service: records everything the gate lets through. */
    static final class Recorder implements Handler, Authenticated {
        final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        String key;
        boolean opened;
        boolean closed;

        @Override public void authenticated(String keyName) { key = keyName; }
        @Override public void onOpen(Conn conn) { opened = true; }
        @Override public void onRead(Conn conn, ByteBuffer in) {
            byte[] b = new byte[in.remaining()];
            in.get(b);
            seen.writeBytes(b);
        }
        @Override public void onClose(Conn conn, Throwable cause) { closed = true; }
    }

    final Recorder service = new Recorder();
    final HmacGate gate = new HmacGate(() -> service, List.of(USER, ADMIN), Duration.ofSeconds(3));
    final FakeConn conn = new FakeConn();
    final Handler handler = gate.newHandler();

    byte[] challenge() {
        byte[] sent = conn.written.toByteArray();
        assertThat(sent).hasSize(HmacGate.CHALLENGE_BYTES);
        return sent;
    }

    @Test
    void rightKeyPassesAndTheServiceGetsTheBytesAfterTheAnswer() {
        handler.onOpen(conn);
        assertThat(service.opened).isFalse();
        byte[] answer = HmacClient.answer(USER, challenge());
        byte[] wire = ByteBuffer.allocate(40).put(answer).put("hello\n\0\0".getBytes(StandardCharsets.UTF_8)).array();

        handler.onRead(conn, ByteBuffer.wrap(wire, 0, 10));   // the answer may arrive in pieces
        assertThat(service.opened).isFalse();
        handler.onRead(conn, ByteBuffer.wrap(wire, 10, 28));

        assertThat(conn.isOpen()).isTrue();
        assertThat(service.opened).isTrue();
        assertThat(service.key).isEqualTo("user");
        assertThat(service.seen.toString(StandardCharsets.UTF_8)).isEqualTo("hello\n");
        assertThat(conn.timers.getFirst().isCancelled() || conn.timers.getFirst().isDone()).isTrue();
        handler.onClose(conn, null);
        assertThat(service.closed).isTrue();
    }

    @Test
    void theGateTellsWhichKeyMatched() {
        handler.onOpen(conn);
        handler.onRead(conn, ByteBuffer.wrap(HmacClient.answer(ADMIN, challenge())));
        assertThat(service.key).isEqualTo("admin");
    }

    @Test
    void wrongKeyIsRejectedBeforeTheServiceSeesAByte() {
        handler.onOpen(conn);
        byte[] answer = HmacClient.answer(STRANGER, challenge());
        handler.onRead(conn, ByteBuffer.wrap(Arrays.copyOf(answer, 40)));
        assertThat(conn.isOpen()).isFalse();
        assertThat(service.opened).isFalse();
        assertThat(service.seen.size()).isZero();
        handler.onRead(conn, ByteBuffer.wrap("more".getBytes(StandardCharsets.UTF_8)));
        handler.onClose(conn, null);
        assertThat(service.seen.size()).isZero();
        assertThat(service.closed).isFalse();
    }

    @Test
    void truncatedAnswerIsRejectedAtEndOfStream() {
        handler.onOpen(conn);
        byte[] answer = HmacClient.answer(USER, challenge());
        handler.onRead(conn, ByteBuffer.wrap(answer, 0, 31));
        assertThat(conn.isOpen()).isTrue();
        handler.onReadEnd(conn);
        assertThat(conn.isOpen()).isFalse();
        assertThat(service.opened).isFalse();
    }

    @Test
    void noAnswerIsRejectedWhenTheDeadlinePasses() {
        handler.onOpen(conn);
        assertThat(conn.timers).hasSize(1);
        assertThat(conn.timers.getFirst().delay).isEqualTo(Duration.ofSeconds(3));
        conn.timers.getFirst().fire();
        assertThat(conn.isOpen()).isFalse();
        handler.onRead(conn, ByteBuffer.wrap(HmacClient.answer(USER, challenge())));
        assertThat(service.opened).isFalse();
    }

    @Test
    void everyConnectionGetsAFreshChallenge() {
        FakeConn other = new FakeConn();
        handler.onOpen(conn);
        gate.newHandler().onOpen(other);
        assertThat(other.written.toByteArray()).isNotEqualTo(conn.written.toByteArray());
    }

    @Test
    void keyFilesIgnoreOneTrailingNewlineAndRefuseShortKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "0123456789abcdef-user\r\n");
        assertThat(HmacKey.read("user", file).secret()).isEqualTo(USER.secret());
        Files.writeString(file, "short\n");
        assertThatThrownBy(() -> HmacKey.read("user", file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");
    }
}
