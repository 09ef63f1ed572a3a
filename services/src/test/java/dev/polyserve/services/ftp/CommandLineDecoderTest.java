package dev.polyserve.services.ftp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The line limit, whatever the line end. */
class CommandLineDecoderTest {
    private static final int MAX = CommandLineDecoder.MAX_LINE_BYTES;

    private static List<CommandLineDecoder.Line> decode(String stream) {
        CommandLineDecoder d = new CommandLineDecoder();
        d.feed(ByteBuffer.wrap(stream.getBytes(US_ASCII)));
        List<CommandLineDecoder.Line> out = new ArrayList<>();
        for (CommandLineDecoder.Line l; (l = d.next()) != null; ) out.add(l);
        return out;
    }

    /** Found by CommandLineDecoderFuzzTest: a 4,096-byte line was taken with a bare LF and refused with CRLF. */
    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void aLineOfExactlyTheLimitIsTakenWithEitherLineEnd(String end) {
        String line = "A".repeat(MAX);
        assertThat(decode(line + end + "NOOP" + end)).containsExactly(
                new CommandLineDecoder.Line.Text(line), new CommandLineDecoder.Line.Text("NOOP"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void aLineOneByteOverTheLimitIsTooLongWithEitherLineEnd(String end) {
        assertThat(decode("A".repeat(MAX + 1) + end + "NOOP" + end)).containsExactly(
                new CommandLineDecoder.Line.TooLong(), new CommandLineDecoder.Line.Text("NOOP"));
    }

    @Test
    void aCarriageReturnPastTheLimitThatNoLineFeedFollowsIsPartOfATooLongLine() {
        assertThat(decode("A".repeat(MAX) + "\rB\r\nNOOP\r\n")).containsExactly(
                new CommandLineDecoder.Line.TooLong(), new CommandLineDecoder.Line.Text("NOOP"));
    }

    @Test
    void aLineAtTheLimitEndingInItsOwnCarriageReturnIsTakenWithCrlf() {
        String line = "A".repeat(MAX - 1) + "\r";
        assertThat(decode(line + "\r\n")).containsExactly(new CommandLineDecoder.Line.Text(line));
    }
}
