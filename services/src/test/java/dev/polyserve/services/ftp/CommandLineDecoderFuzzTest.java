package dev.polyserve.services.ftp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the FTP control connection's line decoder (issue #16). A plain test run replays
 * src/test/resources/.../CommandLineDecoderFuzzTestInputs; bench/fuzz.sh fuzzes it for real.
 */
class CommandLineDecoderFuzzTest {

    private static final int MAX_CUTS = 8;

    @FuzzTest
    void anySplitDecodesAlikeWithinTheLimitAndRoundTrips(FuzzedDataProvider data) {
        int cutCount = data.consumeInt(0, MAX_CUTS);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < cutCount; i++) cuts.add(data.consumeInt(0, 1 << 16));
        byte[] stream = data.consumeRemainingAsBytes();

        List<CommandLineDecoder.Line> whole = decode(List.of(stream));
        List<CommandLineDecoder.Line> split = decode(pieces(stream, cuts));
        assertThat(split).isEqualTo(whole);

        // No more lines than LFs, and every line within the limit and free of line ends.
        long lfs = 0;
        for (byte b : stream) if (b == '\n') lfs++;
        assertThat((long) whole.size()).isLessThanOrEqualTo(lfs);
        for (CommandLineDecoder.Line line : whole) {
            if (line instanceof CommandLineDecoder.Line.Text(String text)) {
                assertThat(text.getBytes(UTF_8).length).isLessThanOrEqualTo(CommandLineDecoder.MAX_LINE_BYTES);
                assertThat(text).doesNotContain("\n");
            }
        }

        // Text lines written out again with CRLF (their IAC-free UTF-8, a literal 0xFF doubled) decode to themselves.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        List<CommandLineDecoder.Line> texts = new ArrayList<>();
        for (CommandLineDecoder.Line line : whole) {
            if (line instanceof CommandLineDecoder.Line.Text(String text)) {
                texts.add(line);
                again.writeBytes(text.getBytes(UTF_8));
                again.writeBytes(new byte[] {'\r', '\n'});
            }
        }
        assertThat(decode(List.of(again.toByteArray()))).isEqualTo(texts);

        // What AUTH TLS discards is gone: nothing buffered before it comes out after it.
        CommandLineDecoder d = new CommandLineDecoder();
        d.feed(ByteBuffer.wrap(stream));
        d.discardBuffered();
        assertThat(d.next()).isNull();
        assertThat(d.discardBuffered()).isFalse();
    }

    private static List<CommandLineDecoder.Line> decode(List<byte[]> pieces) {
        CommandLineDecoder d = new CommandLineDecoder();
        List<CommandLineDecoder.Line> out = new ArrayList<>();
        for (byte[] piece : pieces) {
            ByteBuffer in = ByteBuffer.wrap(piece);
            d.feed(in);
            assertThat(in.hasRemaining()).isFalse();
            for (CommandLineDecoder.Line l; (l = d.next()) != null; ) out.add(l);
        }
        return out;
    }

    static List<byte[]> pieces(byte[] all, List<Integer> cuts) {
        java.util.TreeSet<Integer> points = new java.util.TreeSet<>();
        for (int c : cuts) points.add(Math.floorMod(c, all.length + 1));
        points.add(all.length);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int to : points) {
            out.add(java.util.Arrays.copyOfRange(all, from, to));
            from = to;
        }
        return out;
    }
}
