package dev.polyserve.services.http.websocket;

import static dev.polyserve.services.http.websocket.WsDriver.concat;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the frame decoder: byte boundaries never matter, masking is undone whatever the key, fragmenting a
 * message never changes it, and invalid UTF-8 is caught wherever the fragments split it.
 */
class WsFrameProperties {

    /** One message as a client may send it: its kind, payload, fragment cuts, and pings between fragments. */
    record Message(int opcode, byte[] payload, List<Integer> cuts, byte[] mask, boolean pingBetween) {
        byte[] wire() {
            List<byte[]> parts = WsDriver.split(payload, cuts);
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                boolean last = i == parts.size() - 1;
                frames.add(WsDriver.frame(i == 0 ? opcode : WsFrames.CONTINUATION, last, false, parts.get(i), mask));
                if (!last && pingBetween) frames.add(WsDriver.frame(WsFrames.PING, true, false, new byte[] {(byte) i}, mask));
            }
            return concat(frames.toArray(byte[][]::new));
        }

        /** What the decoder should report for it. */
        List<String> expected() {
            List<String> out = new ArrayList<>();
            int fragments = WsDriver.split(payload, cuts).size();
            if (pingBetween) for (int i = 0; i < fragments - 1; i++) out.add("ping:" + HexFormat.of().formatHex(new byte[] {(byte) i}));
            out.add(opcode == WsFrames.TEXT ? "text:" + new String(payload, UTF_8) : "binary:" + HexFormat.of().formatHex(payload));
            return out;
        }
    }

    @Property(tries = 400)
    void splitsAndFragmentsNeverChangeTheMessages(@ForAll("messages") List<Message> messages,
                                                   @ForAll("cuts") List<Integer> readCuts) {
        byte[] all = concat(messages.stream().map(Message::wire).toArray(byte[][]::new));
        List<String> expected = new ArrayList<>();
        messages.forEach(m -> expected.addAll(m.expected()));
        assertThat(WsDriver.run(List.of(all))).isEqualTo(expected);
        assertThat(WsDriver.run(WsDriver.split(all, readCuts))).isEqualTo(expected);
    }

    @Property(tries = 200)
    void controlFramesAtAnySplit(@ForAll @Size(max = 125) byte[] payload, @ForAll @Size(min = 4, max = 4) byte[] mask,
                                 @ForAll("cuts") List<Integer> readCuts) {
        String hex = HexFormat.of().formatHex(payload);
        byte[] closeBody = WsFrames.closePayload(4000 + payload.length, "r");
        byte[] all = concat(WsDriver.frame(WsFrames.PING, true, false, payload, mask),
                WsDriver.frame(WsFrames.PONG, true, false, payload, mask),
                WsDriver.frame(WsFrames.CLOSE, true, false, closeBody, mask));
        assertThat(WsDriver.run(WsDriver.split(all, readCuts)))
                .containsExactly("ping:" + hex, "pong:" + hex, "close:" + (4000 + payload.length) + ":r");
    }

    @Property(tries = 300)
    void maskingIsUndoneWhateverTheKey(@ForAll @Size(max = 70_000) byte[] payload, @ForAll @Size(min = 4, max = 4) byte[] mask) {
        byte[] f = WsDriver.frame(WsFrames.BINARY, true, false, payload, mask);
        assertThat(WsDriver.run(List.of(f))).containsExactly("binary:" + HexFormat.of().formatHex(payload));
    }

    @Property(tries = 200)
    void invalidUtf8IsCaughtAtEverySplitPoint(@ForAll("texts") String before, @ForAll("badSequences") byte[] bad,
                                              @ForAll("texts") String after) {
        byte[] payload = concat(before.getBytes(UTF_8), bad, after.getBytes(UTF_8));
        for (int at = 0; at <= payload.length; at++) {
            byte[] wire = concat(WsDriver.frame(WsFrames.TEXT, false, java.util.Arrays.copyOfRange(payload, 0, at)),
                    WsDriver.frame(WsFrames.CONTINUATION, true, java.util.Arrays.copyOfRange(payload, at, payload.length)));
            assertThat(WsDriver.run(List.of(wire))).as("split at " + at).containsExactly("error:1007");
        }
    }

    @Property(tries = 200)
    void validUtf8SurvivesEverySplitPoint(@ForAll("texts") String text) {
        byte[] payload = text.getBytes(UTF_8);
        for (int at = 0; at <= payload.length; at++) {
            byte[] wire = concat(WsDriver.frame(WsFrames.TEXT, false, java.util.Arrays.copyOfRange(payload, 0, at)),
                    WsDriver.frame(WsFrames.CONTINUATION, true, java.util.Arrays.copyOfRange(payload, at, payload.length)));
            assertThat(WsDriver.run(List.of(wire))).as("split at " + at).containsExactly("text:" + text);
        }
    }

    @Property(tries = 2000)
    void validatorAgreesWithTheJdk(@ForAll @Size(max = 40) byte[] bytes) {
        boolean jdk;
        try {
            UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            jdk = true;
        } catch (CharacterCodingException e) {
            jdk = false;
        }
        Utf8Validator v = new Utf8Validator();
        assertThat(v.feed(bytes, 0, bytes.length) && v.complete()).isEqualTo(jdk);
    }

    @Property(tries = 500)
    void randomBytesOnlyEverGiveACloseCode(@ForAll @Size(max = 600) byte[] junk, @ForAll("cuts") List<Integer> cuts) {
        List<String> out = WsDriver.run(new WsFrameDecoder(200, 300, null), WsDriver.split(junk, cuts));
        out.stream().filter(s -> s.startsWith("error:")).forEach(s -> assertThat(s).isIn("error:1002", "error:1007", "error:1009"));
    }

    @Provide
    Arbitrary<List<Message>> messages() {
        Arbitrary<Integer> opcode = Arbitraries.of(WsFrames.TEXT, WsFrames.BINARY);
        Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> mask = Arbitraries.bytes().array(byte[].class).ofSize(4);
        Arbitrary<List<Integer>> fragCuts = Arbitraries.integers().between(0, 400).list().ofMaxSize(4);
        Arbitrary<Message> m = Combinators.combine(opcode, texts(), binary, fragCuts, mask, Arbitraries.of(true, false))
                .as((op, t, b, c, k, ping) -> new Message(op, op == WsFrames.TEXT ? t.getBytes(UTF_8) : b, c, k, ping));
        return m.list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> texts() {
        // ASCII, Latin, CJK and astral characters: one- to four-byte sequences.
        return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u00ff')
                .withCharRange('\u4e00', '\u4e20').withChars("\uD83D\uDE00\uD83C\uDF89".toCharArray()).ofMaxLength(40)
                .filter(s -> s.equals(new String(s.getBytes(UTF_8), UTF_8)));
    }

    @Provide
    Arbitrary<byte[]> badSequences() {
        return Arbitraries.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc0, (byte) 0xaf},
                new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, new byte[] {(byte) 0xed, (byte) 0xb0, (byte) 0x80},
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0x80},
                new byte[] {(byte) 0xe2, (byte) 0x82, 0x41}, new byte[] {(byte) 0xf5});
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 100_000).list().ofMaxSize(10);
    }
}
