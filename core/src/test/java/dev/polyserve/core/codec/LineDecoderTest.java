package dev.polyserve.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LineDecoderTest {

    @Provide
    Arbitrary<List<String>> lines() {
        // Any text without line terminators or lone surrogates (which UTF-8 cannot carry).
        return Arbitraries.strings().withCharRange(' ', '\uD7FF').ofMaxLength(40).list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void linesRoundTripAcrossAnySplit(@ForAll("lines") List<String> lines,
                                      @ForAll @Size(max = 20) List<Integer> cuts,
                                      @ForAll boolean crlf) throws ProtocolException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (String line : lines) wire.writeBytes((line + (crlf ? "\r\n" : "\n")).getBytes(StandardCharsets.UTF_8));
        LineDecoder decoder = new LineDecoder(1024, LineDecoder.OnOverlong.FAIL);
        List<String> got = new ArrayList<>();
        for (ByteBuffer chunk : Chunks.split(wire.toByteArray(), cuts)) {
            decoder.decode(chunk, e -> got.add(((LineDecoder.Line) e).text()));
            assertThat(chunk.hasRemaining()).isFalse();
        }
        assertThat(got).isEqualTo(lines);
        assertThat(decoder.midFrame()).isFalse();
    }

    @Property(tries = 300)
    void discardModeNeverThrowsAndKeepsShortLines(@ForAll byte[] noise, @ForAll @Size(max = 10) List<Integer> cuts)
            throws ProtocolException {
        LineDecoder decoder = new LineDecoder(8, LineDecoder.OnOverlong.DISCARD);
        List<LineDecoder.Event> got = new ArrayList<>();
        for (ByteBuffer chunk : Chunks.split(noise, cuts)) decoder.decode(chunk, got::add);
        for (LineDecoder.Event e : got) {
            if (e instanceof LineDecoder.Line(String text)) {
                assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(8 * 3);
            }
        }
    }

    @Test
    void overlongLineIsReportedOnceAndDroppedUpToItsEnd() throws ProtocolException {
        LineDecoder decoder = new LineDecoder(5, LineDecoder.OnOverlong.DISCARD);
        List<LineDecoder.Event> got = new ArrayList<>();
        decoder.decode(bytes("hello\r\n123"), got::add);
        decoder.decode(bytes("456789"), got::add);
        decoder.decode(bytes("0\nok\n"), got::add);
        assertThat(got).containsExactly(new LineDecoder.Line("hello"), new LineDecoder.Overlong(5),
                new LineDecoder.Line("ok"));
    }

    @Test
    void overlongLineEndingInTheSameReadIsReported() throws ProtocolException {
        LineDecoder decoder = new LineDecoder(3, LineDecoder.OnOverlong.DISCARD);
        List<LineDecoder.Event> got = new ArrayList<>();
        decoder.decode(bytes("abcd\nabc\n"), got::add);
        assertThat(got).containsExactly(new LineDecoder.Overlong(3), new LineDecoder.Line("abc"));
    }

    @Test
    void failModeThrowsAProtocolError() {
        LineDecoder decoder = new LineDecoder(4, LineDecoder.OnOverlong.FAIL);
        assertThatThrownBy(() -> decoder.decode(bytes("12345\n"), e -> {}))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("longer than 4 bytes");
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() throws ProtocolException {
        LineDecoder decoder = new LineDecoder(16, LineDecoder.OnOverlong.FAIL);
        List<LineDecoder.Event> got = new ArrayList<>();
        decoder.decode(ByteBuffer.wrap(new byte[] {'a', (byte) 0xff, 'b', '\n'}), got::add);
        assertThat(got).containsExactly(new LineDecoder.Line("a\uFFFDb"));
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
