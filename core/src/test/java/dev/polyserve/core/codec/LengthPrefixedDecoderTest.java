package dev.polyserve.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LengthPrefixedDecoderTest {

    @Property(tries = 300)
    void payloadsRoundTripAcrossAnySplit(@ForAll @Size(max = 20) List<byte[]> payloads,
                                         @ForAll @Size(max = 30) List<Integer> cuts) throws ProtocolException {
        byte[] wire = Chunks.concat(payloads.stream().map(LengthPrefixedDecoder::encode).toList());
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(1 << 20);
        List<byte[]> got = new ArrayList<>();
        for (ByteBuffer chunk : Chunks.split(wire, cuts)) decoder.decode(chunk, got::add);
        assertThat(got).hasSameSizeAs(payloads);
        for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).isEqualTo(payloads.get(i));
        assertThat(decoder.midFrame()).isFalse();
    }

    @Property(tries = 300)
    void arbitraryBytesGiveFramesOrAProtocolErrorNothingElse(@ForAll byte[] noise) {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(64);
        try {
            decoder.decode(ByteBuffer.wrap(noise), p -> assertThat(p.length).isLessThanOrEqualTo(64));
        } catch (ProtocolException expected) {
            assertThat(expected).hasMessageContaining("over the limit");
        }
    }

    @Test
    void payloadOverTheLimitIsAProtocolError() {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(10);
        ByteBuffer wire = LengthPrefixedDecoder.encode(new byte[11]);
        assertThatThrownBy(() -> decoder.decode(wire, p -> {}))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("11 bytes is over the limit of 10");
    }

    @Test
    void halfAPrefixIsMidFrame() throws ProtocolException {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(10);
        decoder.decode(ByteBuffer.wrap(new byte[] {0, 0}), p -> {});
        assertThat(decoder.midFrame()).isTrue();
    }
}
