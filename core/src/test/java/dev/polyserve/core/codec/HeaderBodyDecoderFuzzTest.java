package dev.polyserve.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the JSON header+body decoder (issue #16): Jackson parses hostile headers here, so
 * every failure must be a {@link ProtocolException}, never a Jackson or runtime exception escaping the handler.
 * Replays src/test/resources/.../HeaderBodyDecoderFuzzTestInputs in a plain test run; bench/fuzz.sh fuzzes it.
 */
class HeaderBodyDecoderFuzzTest {

    /** Small limits so that short inputs reach each of them. */
    private static final FrameLimits LIMITS = new FrameLimits(256, 512, 16);

    @FuzzTest
    void anySplitDecodesAlikeWithinTheLimitsAndRoundTrips(FuzzedDataProvider data) {
        FuzzSplits.Input input = FuzzSplits.draw(data);
        Outcome whole = decode(List.of(ByteBuffer.wrap(input.stream())));
        Outcome split = decode(input.pieces());

        assertThat(split.frames).hasSameSizeAs(whole.frames);
        for (int i = 0; i < whole.frames.size(); i++) {
            assertThat(split.frames.get(i).header()).isEqualTo(whole.frames.get(i).header());
            assertThat(split.frames.get(i).body()).isEqualTo(whole.frames.get(i).body());
        }
        assertThat(split.failure).isEqualTo(whole.failure);
        // Chunks can differ with the cuts; none is ever larger than the body still owed, and none is buffered whole.
        assertThat(split.largestSmallBody).isLessThanOrEqualTo(LIMITS.streamThresholdBytes());

        // A decoded frame re-encodes to a frame that decodes to the same header and body.
        for (Reassembled f : whole.frames) {
            assertThat(f.body().length).isLessThanOrEqualTo((int) LIMITS.maxBodyBytes());
            Outcome again = decode(List.of(HeaderBodyEncoder.encode(f.header(), f.body())));
            // Re-encoded, a header near the limit may pass it (Jackson writes "size" and escapes its own way).
            if (again.failure != null) {
                assertThat(again.failure).contains("over the limit");
                continue;
            }
            assertThat(again.frames).hasSize(1);
            // The encoder sets "size" from the body, so the header comes back with it whatever form it had.
            assertThat(again.frames.getFirst().header())
                    .isEqualTo(f.header().deepCopy().put(HeaderBodyDecoder.SIZE_FIELD, f.body().length));
            assertThat(again.frames.getFirst().body()).isEqualTo(f.body());
        }
    }

    record Reassembled(com.fasterxml.jackson.databind.node.ObjectNode header, byte[] body) {}

    private record Outcome(List<Reassembled> frames, String failure, int largestSmallBody) {}

    private static Outcome decode(List<ByteBuffer> pieces) {
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(LIMITS);
        List<Reassembled> frames = new ArrayList<>();
        int[] largestSmall = {0};
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        com.fasterxml.jackson.databind.node.ObjectNode[] streamedHeader = {null};
        long[] announced = {0};
        try {
            for (ByteBuffer piece : pieces) {
                ByteBuffer in = piece.duplicate();
                decoder.decode(in, event -> {
                    switch (event) {
                        case HeaderBodyDecoder.Frame f -> {
                            largestSmall[0] = Math.max(largestSmall[0], f.body().length);
                            assertThat(bodySize(f.header())).isEqualTo(f.body().length);
                            frames.add(new Reassembled(f.header(), f.body()));
                        }
                        case HeaderBodyDecoder.BodyStart s -> {
                            assertThat(streamedHeader[0]).as("no BodyStart inside a body").isNull();
                            assertThat(s.size()).isGreaterThan(LIMITS.streamThresholdBytes())
                                    .isLessThanOrEqualTo(LIMITS.maxBodyBytes());
                            streamedHeader[0] = s.header();
                            announced[0] = s.size();
                            streamed.reset();
                        }
                        case HeaderBodyDecoder.BodyChunk c -> {
                            assertThat(streamedHeader[0]).as("a chunk belongs to a started body").isNotNull();
                            assertThat(c.bytes()).isNotEmpty();
                            streamed.writeBytes(c.bytes());
                            assertThat((long) streamed.size()).isLessThanOrEqualTo(announced[0]);
                        }
                        case HeaderBodyDecoder.BodyEnd e -> {
                            assertThat((long) streamed.size()).isEqualTo(announced[0]);
                            frames.add(new Reassembled(streamedHeader[0], streamed.toByteArray()));
                            streamedHeader[0] = null;
                        }
                    }
                });
                assertThat(in.hasRemaining()).as("decode consumes every byte it is given").isFalse();
            }
        } catch (ProtocolException e) {
            return new Outcome(frames, e.getMessage(), largestSmall[0]);
        }
        return new Outcome(frames, null, largestSmall[0]);
    }

    private static long bodySize(com.fasterxml.jackson.databind.node.ObjectNode header) {
        var size = header.get(HeaderBodyDecoder.SIZE_FIELD);
        return size == null || size.isNull() ? 0 : size.asLong();
    }
}
