package dev.polyserve.services.http.websocket;

import static dev.polyserve.services.http.websocket.WsDriver.concat;
import static dev.polyserve.services.http.websocket.WsDriver.frame;
import static dev.polyserve.services.http.websocket.WsDriver.run;
import static dev.polyserve.services.http.websocket.WsDriver.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule RFC 6455 sets for what a server receives, one frame sequence each, and the close code it gets. */
class WsFrameDecoderTest {

    private static List<String> one(byte[] bytes) {
        return run(List.of(bytes));
    }

    @Test
    void textBinaryPingPongClose() {
        byte[] all = concat(text("héllo"), frame(WsFrames.BINARY, true, new byte[] {0, (byte) 0xff}),
                frame(WsFrames.PING, true, new byte[] {1}), frame(WsFrames.PONG, true, new byte[0]),
                frame(WsFrames.CLOSE, true, WsFrames.closePayload(1000, "bye")));
        assertThat(one(all)).containsExactly("text:héllo", "binary:00ff", "ping:01", "pong:", "close:1000:bye");
    }

    @Test
    void lengthsAcrossTheThreeEncodings() {
        for (int n : new int[] {0, 125, 126, 65535, 65536, 200_000}) {
            byte[] p = new byte[n];
            List<String> out = one(frame(WsFrames.BINARY, true, p));
            assertThat(out).as("length " + n).hasSize(1);
            assertThat(out.get(0)).hasSize("binary:".length() + 2 * n);
        }
    }

    @Test
    void fragmentsWithInterleavedControlFrames() {
        byte[] all = concat(frame(WsFrames.TEXT, false, "Hel".getBytes(UTF_8)),
                frame(WsFrames.PING, true, "p".getBytes(UTF_8)),
                frame(WsFrames.CONTINUATION, false, "lo ".getBytes(UTF_8)),
                frame(WsFrames.PONG, true, new byte[0]),
                frame(WsFrames.CONTINUATION, true, "there".getBytes(UTF_8)));
        assertThat(one(all)).containsExactly("ping:70", "pong:", "text:Hello there");
    }

    @Test
    void aCharacterSplitBetweenFragmentsIsFine() {
        byte[] euro = "€".getBytes(UTF_8); // e2 82 ac
        byte[] all = concat(frame(WsFrames.TEXT, false, new byte[] {euro[0]}),
                frame(WsFrames.CONTINUATION, false, new byte[] {euro[1]}),
                frame(WsFrames.CONTINUATION, true, new byte[] {euro[2]}));
        assertThat(one(all)).containsExactly("text:€");
    }

    @Test
    void unmaskedFrameIs1002() {
        assertThat(one(frame(WsFrames.TEXT, true, false, "x".getBytes(UTF_8), null))).containsExactly("error:1002");
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodesAre1002(int opcode) {
        assertThat(one(frame(opcode, true, new byte[0]))).containsExactly("error:1002");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x20, 0x10})
    void reservedBitsAre1002(int bit) {
        byte[] f = text("x");
        f[0] |= (byte) bit;
        assertThat(one(f)).containsExactly("error:1002");
    }

    @Test
    void controlFramesMustBeShortAndWhole() {
        assertThat(one(frame(WsFrames.PING, true, new byte[126]))).containsExactly("error:1002");
        assertThat(one(frame(WsFrames.PING, false, new byte[1]))).containsExactly("error:1002");
        assertThat(one(frame(WsFrames.CLOSE, false, WsFrames.closePayload(1000, "")))).containsExactly("error:1002");
        assertThat(one(frame(WsFrames.PING, true, new byte[125]))).hasSize(1).allMatch(s -> s.startsWith("ping:"));
    }

    @Test
    void continuationWithoutAMessageIs1002() {
        assertThat(one(frame(WsFrames.CONTINUATION, true, "x".getBytes(UTF_8)))).containsExactly("error:1002");
    }

    @Test
    void newMessageInsideAFragmentedOneIs1002() {
        assertThat(one(concat(frame(WsFrames.TEXT, false, "a".getBytes(UTF_8)), text("b")))).containsExactly("error:1002");
    }

    @Test
    void invalidUtf8Is1007() {
        assertThat(one(frame(WsFrames.TEXT, true, new byte[] {(byte) 0xc0, (byte) 0x80}))).containsExactly("error:1007");
        assertThat(one(frame(WsFrames.TEXT, true, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})))
                .as("a surrogate").containsExactly("error:1007");
        assertThat(one(frame(WsFrames.TEXT, true, new byte[] {(byte) 0xe2, (byte) 0x82}))).as("cut short")
                .containsExactly("error:1007");
    }

    @Test
    void invalidUtf8FailsAtItsFragmentNotAtTheEnd() {
        // The bad fragment is judged before the message ends: the error comes with no final frame sent.
        assertThat(one(concat(frame(WsFrames.TEXT, false, "ok".getBytes(UTF_8)),
                frame(WsFrames.CONTINUATION, false, new byte[] {(byte) 0xff})))).containsExactly("error:1007");
    }

    @Test
    void closeFrames() {
        assertThat(one(frame(WsFrames.CLOSE, true, new byte[0]))).containsExactly("close:1005:");
        assertThat(one(frame(WsFrames.CLOSE, true, new byte[] {3}))).containsExactly("error:1002");
        assertThat(one(frame(WsFrames.CLOSE, true, WsFrames.closePayload(4001, "app")))).containsExactly("close:4001:app");
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000}) {
            assertThat(one(frame(WsFrames.CLOSE, true, WsFrames.closePayload(code, "")))).as("code " + code)
                    .containsExactly("error:1002");
        }
        byte[] badReason = {0x03, (byte) 0xe8, (byte) 0xff};
        assertThat(one(frame(WsFrames.CLOSE, true, badReason))).containsExactly("error:1007");
    }

    @Test
    void nothingIsDecodedAfterTheClose() {
        assertThat(one(concat(frame(WsFrames.CLOSE, true, new byte[0]), text("late")))).containsExactly("close:1005:");
    }

    @Test
    void frameAndMessageLimitsAre1009() {
        WsFrameDecoder small = new WsFrameDecoder(100, 150, null);
        // Refused on the length field: the payload never has to arrive.
        byte[] head = java.util.Arrays.copyOf(frame(WsFrames.BINARY, true, new byte[101]), 8);
        assertThat(run(small, List.of(head))).containsExactly("error:1009");
        WsFrameDecoder twoFrames = new WsFrameDecoder(100, 150, null);
        assertThat(run(twoFrames, List.of(frame(WsFrames.BINARY, false, new byte[100]),
                frame(WsFrames.CONTINUATION, true, new byte[51])))).containsExactly("error:1009");
    }

    @Test
    void sixtyFourBitLengthWithTheTopBitIs1002() {
        byte[] f = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
        assertThat(one(f)).containsExactly("error:1002");
    }

    @Test
    void compressedMessagesWithContextTakeover() {
        PerMessageDeflate pmd = new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false), 0);
        Deflater client = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        String first = "hello hello hello hello";
        String second = "hello hello hello hello again";
        byte[] all = concat(frame(WsFrames.TEXT, true, true, compress(client, first), WsDriver.MASK),
                frame(WsFrames.TEXT, true, true, compress(client, second), WsDriver.MASK),
                text("plain"));
        WsFrameDecoder d = new WsFrameDecoder(1000, 1000, pmd);
        assertThat(run(d, List.of(all))).containsExactly("text:" + first, "text:" + second, "text:plain");
    }

    @Test
    void compressedMessageInflatingPastTheLimitIs1009() {
        PerMessageDeflate pmd = new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false), 0);
        byte[] zeros = compress(new Deflater(9, true), "\0".repeat(100_000));
        assertThat(zeros.length).isLessThan(1000);
        WsFrameDecoder d = new WsFrameDecoder(1000, 10_000, pmd);
        assertThat(run(d, List.of(frame(WsFrames.BINARY, true, true, zeros, WsDriver.MASK)))).containsExactly("error:1009");
    }

    @Test
    void rsv1WithoutTheExtensionOrOnAContinuationIs1002() {
        assertThat(one(frame(WsFrames.TEXT, true, true, "x".getBytes(UTF_8), WsDriver.MASK))).containsExactly("error:1002");
        PerMessageDeflate pmd = new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false), 0);
        WsFrameDecoder d = new WsFrameDecoder(1000, 1000, pmd);
        assertThat(run(d, List.of(frame(WsFrames.TEXT, false, new byte[] {'a'}),
                frame(WsFrames.CONTINUATION, true, true, new byte[] {'b'}, WsDriver.MASK)))).containsExactly("error:1002");
    }

    @Test
    void serverCompressionRoundTrips() {
        PerMessageDeflate server = new PerMessageDeflate(new PerMessageDeflate.Agreement(true, false, false), 0);
        PerMessageDeflate reader = new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false), 0);
        WsFrameDecoder d = new WsFrameDecoder(100_000, 100_000, reader);
        byte[] msg = "compress me ".repeat(500).getBytes(UTF_8);
        byte[] c1 = server.deflate(msg, 0, msg.length);
        byte[] c2 = server.deflate(msg, 0, msg.length);
        assertThat(c1).as("server_no_context_takeover: each message stands alone").isEqualTo(c2);
        assertThat(run(d, List.of(frame(WsFrames.TEXT, true, true, c1, WsDriver.MASK),
                frame(WsFrames.TEXT, true, true, c2, WsDriver.MASK))))
                .containsExactly("text:" + new String(msg, UTF_8), "text:" + new String(msg, UTF_8));
    }

    /** What a client's permessage-deflate sends: raw DEFLATE, sync-flushed, without the 00 00 FF FF tail. */
    static byte[] compress(Deflater d, String s) {
        d.setInput(s.getBytes(UTF_8));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            o.write(buf, 0, n);
        } while (n == buf.length);
        byte[] all = o.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }
}
