package dev.polyserve.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.polyserve.core.Handler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Coverage-guided fuzzing of the HMAC gate (issue #16): whatever a client sends, in whatever pieces, the gated
 * service opens only after a right answer, and then sees exactly the bytes behind it; a wrong answer closes the
 * connection and lets nothing through. A plain test run replays src/test/resources/.../HmacGateFuzzTestInputs.
 */
class HmacGateFuzzTest {

    private static final int MAX_CUTS = 8;

    @FuzzTest
    void onlyARightAnswerPassesAndThenEveryByteBehindIt(FuzzedDataProvider data) {
        // 0: the fuzzer's own 32 bytes are the answer; 1-3: the answer of USER, ADMIN or STRANGER (unknown key).
        int answerKind = data.consumeInt(0, 3);
        int cutCount = data.consumeInt(0, MAX_CUTS);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < cutCount; i++) cuts.add(data.consumeInt(0, 1 << 16));
        byte[] rest = data.consumeRemainingAsBytes();

        HmacGateTest.Recorder service = new HmacGateTest.Recorder();
        HmacGate gate = new HmacGate(() -> service, List.of(HmacGateTest.USER, HmacGateTest.ADMIN), Duration.ofSeconds(3));
        FakeConn conn = new FakeConn();
        Handler handler = gate.newHandler();
        handler.onOpen(conn);
        byte[] challenge = conn.written.toByteArray();
        assertThat(challenge).hasSize(HmacGate.CHALLENGE_BYTES);

        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        switch (answerKind) {
            case 1 -> wire.writeBytes(HmacClient.answer(HmacGateTest.USER, challenge));
            case 2 -> wire.writeBytes(HmacClient.answer(HmacGateTest.ADMIN, challenge));
            case 3 -> wire.writeBytes(HmacClient.answer(HmacGateTest.STRANGER, challenge));
            default -> { }
        }
        wire.writeBytes(rest);
        byte[] all = wire.toByteArray();

        TreeSet<Integer> points = new TreeSet<>();
        for (int c : cuts) points.add(Math.floorMod(c, all.length + 1));
        points.add(all.length);
        int from = 0;
        for (int to : points) {
            if (!conn.isOpen()) break;
            ByteBuffer in = ByteBuffer.wrap(all, from, to - from).slice();
            handler.onRead(conn, in);
            assertThat(in.hasRemaining()).as("the gate consumes what it is given").isFalse();
            from = to;
        }

        boolean complete = all.length >= HmacGate.ANSWER_BYTES;
        byte[] answer = Arrays.copyOf(all, Math.min(all.length, HmacGate.ANSWER_BYTES));
        String rightKey = !complete ? null
                : MessageDigest.isEqual(answer, HmacClient.answer(HmacGateTest.USER, challenge)) ? "user"
                : MessageDigest.isEqual(answer, HmacClient.answer(HmacGateTest.ADMIN, challenge)) ? "admin" : null;
        if (rightKey != null) {
            assertThat(service.opened).isTrue();
            assertThat(service.key).isEqualTo(rightKey);
            assertThat(conn.isOpen()).isTrue();
            assertThat(service.seen.toByteArray()).isEqualTo(Arrays.copyOfRange(all, HmacGate.ANSWER_BYTES, all.length));
        } else {
            assertThat(service.opened).isFalse();
            assertThat(service.seen.size()).isZero();
            assertThat(conn.isOpen()).as("a wrong complete answer closes; an incomplete one waits").isEqualTo(!complete);
            if (answerKind == 1 || answerKind == 2) throw new AssertionError("a right answer was refused");
        }
    }
}
