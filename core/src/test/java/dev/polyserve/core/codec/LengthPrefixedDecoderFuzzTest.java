package dev.polyserve.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the length-prefixed decoder (issue #16). In a plain test run this replays the corpus
 * in src/test/resources/.../LengthPrefixedDecoderFuzzTestInputs; bench/fuzz.sh fuzzes it for real.
 */
class LengthPrefixedDecoderFuzzTest {

    /** Small enough that the fuzzer reaches the limit with short inputs. */
    private static final int MAX_PAYLOAD = 64;

    @FuzzTest
    void anySplitDecodesAlikeWithinTheLimitAndRoundTrips(FuzzedDataProvider data) {
        FuzzSplits.Input input = FuzzSplits.draw(data);
        Outcome whole = decode(List.of(ByteBuffer.wrap(input.stream())));
        Outcome split = decode(input.pieces());

        // The only failure is the documented one, and where the stream is cut never changes what comes out.
        assertThat(split.payloads).usingRecursiveComparison().isEqualTo(whole.payloads);
        assertThat(split.failure).isEqualTo(whole.failure);
        for (byte[] payload : whole.payloads) assertThat(payload.length).isLessThanOrEqualTo(MAX_PAYLOAD);

        // Re-encoding what was decoded gives back the stream's decoded prefix byte for byte.
        List<ByteBuffer> encoded = whole.payloads.stream().map(LengthPrefixedDecoder::encode).toList();
        byte[] again = Chunks.concat(encoded);
        assertThat(again.length).isLessThanOrEqualTo(input.stream().length);
        assertThat(Arrays.copyOf(input.stream(), again.length)).isEqualTo(again);
        if (whole.failure == null && !whole.midFrame) assertThat(again).isEqualTo(input.stream());
    }

    private record Outcome(List<byte[]> payloads, String failure, boolean midFrame) {}

    private static Outcome decode(List<ByteBuffer> pieces) {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(MAX_PAYLOAD);
        List<byte[]> payloads = new ArrayList<>();
        try {
            for (ByteBuffer piece : pieces) {
                ByteBuffer in = piece.duplicate();
                decoder.decode(in, payloads::add);
                assertThat(in.hasRemaining()).as("decode consumes every byte it is given").isFalse();
            }
        } catch (ProtocolException e) {
            return new Outcome(payloads, e.getMessage(), true);
        }
        return new Outcome(payloads, null, decoder.midFrame());
    }
}
