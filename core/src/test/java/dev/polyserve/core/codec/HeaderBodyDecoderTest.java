package dev.polyserve.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HeaderBodyDecoderTest {

    record Sent(ObjectNode header, byte[] body) {}

    @Provide
    Arbitrary<List<Sent>> frames() {
        Arbitrary<ObjectNode> headers = Arbitraries.maps(
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).filter(k -> !k.equals("size")),
                        Arbitraries.strings().ofMaxLength(20))
                .ofMaxSize(4)
                .map(HeaderBodyDecoderTest::header);
        Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        return Combinators.combine(headers, bodies).as(Sent::new).list().ofMaxSize(12);
    }

    @Property(tries = 300)
    void framesRoundTripAcrossAnySplit(@ForAll("frames") List<Sent> frames,
                                       @ForAll @Size(max = 40) List<Integer> cuts,
                                       @ForAll @IntRange(max = 100) int streamThreshold) throws ProtocolException {
        byte[] wire = Chunks.concat(frames.stream().map(f -> HeaderBodyEncoder.encode(f.header(), f.body())).toList());
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(new FrameLimits(1024, 1024, streamThreshold));
        Reassembler got = new Reassembler();
        for (ByteBuffer chunk : Chunks.split(wire, cuts)) decoder.decode(chunk, got::accept);

        assertThat(got.frames).hasSameSizeAs(frames);
        for (int i = 0; i < frames.size(); i++) {
            ObjectNode expected = frames.get(i).header().deepCopy().put("size", frames.get(i).body().length);
            assertThat(got.frames.get(i).header()).isEqualTo(expected);
            assertThat(got.frames.get(i).body()).isEqualTo(frames.get(i).body());
        }
        assertThat(got.streamedBodyMax).isLessThanOrEqualTo(Math.max(streamThreshold, 0) == 0 ? 200 : 200);
        assertThat(decoder.midFrame()).isFalse();
    }

    @Property(tries = 300)
    void bodiesOverTheThresholdAreNeverBufferedWhole(@ForAll("frames") List<Sent> frames,
                                                     @ForAll @Size(min = 1, max = 40) List<Integer> cuts)
            throws ProtocolException {
        byte[] wire = Chunks.concat(frames.stream().map(f -> HeaderBodyEncoder.encode(f.header(), f.body())).toList());
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(new FrameLimits(1024, 1024, 16));
        List<HeaderBodyDecoder.Event> events = new ArrayList<>();
        for (ByteBuffer chunk : Chunks.split(wire, cuts)) decoder.decode(chunk, events::add);
        for (HeaderBodyDecoder.Event e : events) {
            if (e instanceof HeaderBodyDecoder.Frame(ObjectNode h, byte[] body)) assertThat(body.length).isLessThanOrEqualTo(16);
        }
    }

    @Property(tries = 300)
    void arbitraryBytesGiveEventsOrAProtocolErrorNothingElse(@ForAll byte[] noise, @ForAll boolean plausiblePrefix) {
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(new FrameLimits(256, 256, 64));
        ByteBuffer in = ByteBuffer.allocate(noise.length + 4);
        if (plausiblePrefix) in.putInt(noise.length);   // reach the JSON parser with garbage
        in.put(noise).flip();
        try {
            decoder.decode(in, e -> {});
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void malformedJsonIsAProtocolError() {
        assertRejected("{\"type\":", "malformed JSON");
        assertRejected("{\"a\":1} trailing", "malformed JSON");
        assertRejected("[1,2]", "not a JSON object");
        assertRejected("", "not a JSON object");
        assertRejected("{\"size\":-1}", "non-negative integer");
        assertRejected("{\"size\":\"12\"}", "non-negative integer");
        assertRejected("{\"size\":1.5}", "non-negative integer");
        assertRejected("[".repeat(5000), "malformed JSON");
    }

    @Test
    void headerOverTheLimitIsRefusedBeforeItIsRead() {
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(new FrameLimits(100, 100, 10));
        ByteBuffer prefixOnly = ByteBuffer.allocate(4).putInt(101).flip();
        assertThatThrownBy(() -> decoder.decode(prefixOnly, e -> {}))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("header of 101 bytes is over the limit");
    }

    @Test
    void bodyOverTheLimitIsRefusedBeforeItIsRead() {
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(new FrameLimits(100, 1000, 10));
        ByteBuffer wire = HeaderBodyEncoder.encodeHeader(header(Map.of("type", "file")), 1001);
        assertThatThrownBy(() -> decoder.decode(wire, e -> {}))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("body of 1001 bytes is over the limit");
    }

    @Test
    void theCourseExampleDecodes() throws ProtocolException {
        byte[] json = "{\"type\":\"file\",\"name\":\"a.txt\",\"size\":5}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(ByteBuffer.allocate(4).putInt(json.length).array());
        wire.writeBytes(json);
        wire.writeBytes("hello".getBytes(StandardCharsets.UTF_8));
        List<HeaderBodyDecoder.Event> got = new ArrayList<>();
        new HeaderBodyDecoder(FrameLimits.DEFAULTS).decode(ByteBuffer.wrap(wire.toByteArray()), got::add);
        assertThat(got).hasSize(1);
        HeaderBodyDecoder.Frame frame = (HeaderBodyDecoder.Frame) got.getFirst();
        assertThat(frame.header().get("name").asText()).isEqualTo("a.txt");
        assertThat(new String(frame.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    private static void assertRejected(String json, String reason) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer wire = ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).flip();
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(new FrameLimits(64 << 10, 100, 10));
        assertThatThrownBy(() -> decoder.decode(wire, e -> {}))
                .as(json).isInstanceOf(ProtocolException.class).hasMessageContaining(reason);
    }

    static ObjectNode header(Map<String, String> fields) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        fields.forEach(node::put);
        return node;
    }

    /** Turns streamed bodies back into whole frames, checking the event order on the way. */
    static final class Reassembler {
        final List<HeaderBodyDecoder.Frame> frames = new ArrayList<>();
        int streamedBodyMax;
        private ObjectNode streamingHeader;
        private long expected;
        private ByteArrayOutputStream body;

        void accept(HeaderBodyDecoder.Event event) {
            switch (event) {
                case HeaderBodyDecoder.Frame f -> {
                    assertThat(streamingHeader).isNull();
                    frames.add(f);
                }
                case HeaderBodyDecoder.BodyStart(ObjectNode h, long size) -> {
                    assertThat(streamingHeader).isNull();
                    streamingHeader = h;
                    expected = size;
                    body = new ByteArrayOutputStream();
                }
                case HeaderBodyDecoder.BodyChunk(byte[] bytes) -> {
                    assertThat(streamingHeader).isNotNull();
                    assertThat(bytes).isNotEmpty();
                    body.writeBytes(bytes);
                }
                case HeaderBodyDecoder.BodyEnd() -> {
                    assertThat(body.size()).isEqualTo(expected);
                    streamedBodyMax = Math.max(streamedBodyMax, body.size());
                    frames.add(new HeaderBodyDecoder.Frame(streamingHeader, body.toByteArray()));
                    streamingHeader = null;
                }
            }
        }
    }
}
