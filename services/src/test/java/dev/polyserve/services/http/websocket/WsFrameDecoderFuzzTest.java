package dev.polyserve.services.http.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the WebSocket frame decoder, plain and with permessage-deflate (issue #16). A plain
 * test run replays src/test/resources/.../WsFrameDecoderFuzzTestInputs; bench/fuzz.sh fuzzes it for real.
 */
class WsFrameDecoderFuzzTest {

    /** Small limits so that short inputs (and small compressed ones) reach 1009. */
    private static final int MAX_FRAME = 200;
    private static final int MAX_MESSAGE = 300;

    /** The close codes a failure may carry (RFC 6455 section 7.4.1): protocol error, invalid data, too big. */
    private static final Set<String> FAILURES = Set.of("error:1002", "error:1007", "error:1009");

    private static final int MAX_CUTS = 8;

    @FuzzTest
    void anySplitDecodesAlikeWithinTheLimitsAndRoundTrips(FuzzedDataProvider data) {
        boolean deflate = data.consumeBoolean();
        int cutCount = data.consumeInt(0, MAX_CUTS);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < cutCount; i++) cuts.add(data.consumeInt(0, 1 << 16));
        byte[] stream = data.consumeRemainingAsBytes();

        List<String> whole = WsDriver.run(decoder(deflate), List.of(stream));
        List<String> split = WsDriver.run(decoder(deflate), pieces(stream, cuts));
        assertThat(split).isEqualTo(whole);

        List<String> events = new ArrayList<>(whole);
        if (!events.isEmpty() && events.getLast().startsWith("error:")) {
            assertThat(FAILURES).contains(events.removeLast());
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        for (String e : events) {
            assertThat(e).as("only the last event may be an error").doesNotStartWith("error:");
            String kind = e.substring(0, e.indexOf(':'));
            String rest = e.substring(e.indexOf(':') + 1);
            byte[] payload = switch (kind) {
                case "text" -> rest.getBytes(UTF_8);
                case "close" -> closePayload(rest);
                default -> HexFormat.of().parseHex(rest);
            };
            if (kind.equals("text") || kind.equals("binary")) assertThat(payload.length).isLessThanOrEqualTo(MAX_MESSAGE);
            else assertThat(payload.length).isLessThanOrEqualTo(WsLimits.MAX_CONTROL_PAYLOAD);
            int opcode = switch (kind) {
                case "text" -> WsFrames.TEXT;
                case "binary" -> WsFrames.BINARY;
                case "ping" -> WsFrames.PING;
                case "pong" -> WsFrames.PONG;
                default -> WsFrames.CLOSE;
            };
            // A message may have been longer than one frame may be: send it in frames of at most MAX_FRAME.
            int off = 0;
            do {
                int n = Math.min(MAX_FRAME, payload.length - off);
                boolean fin = off + n == payload.length;
                byte[] part = java.util.Arrays.copyOfRange(payload, off, off + n);
                again.writeBytes(WsDriver.frame(off == 0 ? opcode : WsFrames.CONTINUATION, fin, part));
                off += n;
            } while (off < payload.length);
        }
        // Uncompressed, each event written out again as masked client frames decodes to the same event.
        assertThat(WsDriver.run(decoder(false), List.of(again.toByteArray()))).isEqualTo(events);
    }

    private static byte[] closePayload(String codeAndReason) {
        int colon = codeAndReason.indexOf(':');
        int code = Integer.parseInt(codeAndReason.substring(0, colon));
        if (code == WsFrames.NO_STATUS) return new byte[0];
        return WsFrames.closePayload(code, codeAndReason.substring(colon + 1));
    }

    private static WsFrameDecoder decoder(boolean deflate) {
        PerMessageDeflate pmd = deflate ? new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false), 0) : null;
        return new WsFrameDecoder(MAX_FRAME, MAX_MESSAGE, pmd);
    }

    private static List<byte[]> pieces(byte[] all, List<Integer> cuts) {
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
