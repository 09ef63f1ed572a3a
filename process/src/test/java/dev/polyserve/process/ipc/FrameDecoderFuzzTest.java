package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Coverage-guided fuzzing of the message channel's frame decoder, which the prefork master and its workers read
 * each other's messages with (issue #16). A plain test run replays src/test/resources/.../FrameDecoderFuzzTestInputs;
 * bench/fuzz.sh fuzzes it for real.
 */
class FrameDecoderFuzzTest {

    /** Small, so that short inputs reach the limit. */
    private static final int MAX_MESSAGE = 64;
    private static final int MAX_CUTS = 8;

    @FuzzTest
    void anySplitDecodesAlikeWithinTheLimitAndRoundTrips(FuzzedDataProvider data) {
        int cutCount = data.consumeInt(0, MAX_CUTS);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < cutCount; i++) cuts.add(data.consumeInt(0, 1 << 16));
        byte[] stream = data.consumeRemainingAsBytes();

        Outcome whole = decode(List.of(stream));
        TreeSet<Integer> points = new TreeSet<>();
        for (int c : cuts) points.add(Math.floorMod(c, stream.length + 1));
        points.add(stream.length);
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        for (int to : points) {
            pieces.add(Arrays.copyOfRange(stream, from, to));
            from = to;
        }
        Outcome split = decode(pieces);
        assertThat(split.messages).usingRecursiveComparison().isEqualTo(whole.messages);
        assertThat(split.failure).isEqualTo(whole.failure);
        assertThat(split.atBoundary).isEqualTo(whole.atBoundary);

        for (byte[] m : whole.messages) assertThat(m.length).isLessThanOrEqualTo(MAX_MESSAGE);
        // The frames of what was decoded are the stream's decoded prefix, byte for byte; all of it on a clean end.
        byte[] again = whole.messages.isEmpty() ? new byte[0] : FrameDecoder.encodeAll(whole.messages).array();
        assertThat(again.length).isLessThanOrEqualTo(stream.length);
        assertThat(Arrays.copyOf(stream, again.length)).isEqualTo(again);
        if (whole.failure == null && whole.atBoundary) assertThat(again).isEqualTo(stream);
    }

    private record Outcome(List<byte[]> messages, String failure, boolean atBoundary) {}

    private static Outcome decode(List<byte[]> pieces) {
        FrameDecoder d = new FrameDecoder(MAX_MESSAGE);
        List<byte[]> out = new ArrayList<>();
        try {
            for (byte[] p : pieces) {
                ByteBuffer in = ByteBuffer.wrap(p);
                out.addAll(d.feed(in));
                assertThat(in.hasRemaining()).isFalse();
            }
            // A failure after messages in the same piece is held for the next call, as MessageChannel asks for it.
            d.checkFailed();
        } catch (FrameTooLargeException e) {
            return new Outcome(out, e.getMessage(), false);
        }
        return new Outcome(out, null, d.atBoundary());
    }
}
