package dev.polyserve.services.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.polyserve.core.codec.FrameLimits;
import dev.polyserve.core.codec.HeaderBodyDecoder;
import dev.polyserve.core.codec.LineDecoder;
import dev.polyserve.core.codec.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of what a chat client sends (issue #16): typed lines through the line decoder and
 * {@link ChatLineParser}, and JSON frames through the header+body decoder and {@link ChatFrames}, as the two
 * protocols of {@link ChatProtocol} read them. A plain test run replays src/test/resources/.../ChatInputFuzzTestInputs.
 */
class ChatInputFuzzTest {

    /** A short line limit so that short inputs reach the overlong path. */
    private static final int MAX_LINE = 64;

    @FuzzTest
    void linesParseToCommandsThatRoundTrip(FuzzedDataProvider data) throws ProtocolException {
        boolean named = data.consumeBoolean();
        int cut = data.consumeInt(0, 1 << 16);
        byte[] stream = data.consumeRemainingAsBytes();
        int at = Math.floorMod(cut, stream.length + 1);

        List<LineDecoder.Event> whole = lines(List.of(stream));
        List<LineDecoder.Event> split = lines(List.of(java.util.Arrays.copyOf(stream, at),
                java.util.Arrays.copyOfRange(stream, at, stream.length)));
        assertThat(split).isEqualTo(whole);

        for (LineDecoder.Event e : whole) {
            if (!(e instanceof LineDecoder.Line(String line))) continue;
            assertThat(line.getBytes(UTF_8).length).isLessThanOrEqualTo(MAX_LINE * 3);  // U+FFFD is 3 bytes per bad byte
            assertThat(line).doesNotContain("\n");
            ChatCommand c = ChatLineParser.parse(line, named);
            switch (c) {
                case ChatCommand.Say(String text) -> {
                    assertThat(named).isTrue();
                    assertThat(text).isNotBlank();
                    // Typed again (a leading slash doubled), it says the same.
                    assertThat(ChatLineParser.parse(text.startsWith("/") ? "/" + text : text, true)).isEqualTo(c);
                }
                case ChatCommand.Name(String name) -> assertThat(name).isEqualTo(name.strip());
                case ChatCommand.Private(String to, String text) -> {
                    assertThat(to).isNotEmpty().doesNotContain(" ");
                    assertThat(text).isNotBlank().isEqualTo(text.strip());
                    assertThat(ChatLineParser.parse("/msg " + to + " " + text, named)).isEqualTo(c);
                }
                case ChatCommand.Me(String text) -> assertThat(ChatLineParser.parse("/me " + text, named)).isEqualTo(c);
                case ChatCommand.Unknown(String verb) -> assertThat(verb).startsWith("/").doesNotContain(" ");
                default -> { }
            }
        }
    }

    @FuzzTest
    void framesParseToCommandsAndEventsRoundTrip(FuzzedDataProvider data) {
        boolean named = data.consumeBoolean();
        byte[] stream = data.consumeRemainingAsBytes();
        ChatLimits limits = ChatLimits.DEFAULTS;
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(new FrameLimits(ChatFrames.maxHeaderBytes(limits), 0, 0));
        List<ObjectNode> headers = new ArrayList<>();
        try {
            decoder.decode(ByteBuffer.wrap(stream), e -> {
                assertThat(e).as("chat frames have no body").isInstanceOf(HeaderBodyDecoder.Frame.class);
                headers.add(((HeaderBodyDecoder.Frame) e).header());
            });
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        for (ObjectNode h : headers) {
            ChatCommand c = ChatFrames.parse(h, named);
            assertThat(c).isNotNull();
            // What a command says, sent back to the sender as an event frame, decodes to the same JSON.
            ChatEvent echo = switch (c) {
                case ChatCommand.Say(String text) -> new ChatEvent.Said("me", text);
                case ChatCommand.Me(String text) -> new ChatEvent.Acted("me", text);
                case ChatCommand.Private(String to, String text) -> new ChatEvent.PrivateTo(to, text);
                case ChatCommand.Name(String name) -> new ChatEvent.Renamed("me", name);
                case ChatCommand.Admin(String text) -> new ChatEvent.Announcement(text);
                default -> new ChatEvent.Notice(ChatEvent.Kind.USAGE, c.toString());
            };
            byte[] frame = ChatFrames.encode(echo);
            List<ObjectNode> back = new ArrayList<>();
            try {
                new HeaderBodyDecoder(FrameLimits.DEFAULTS).decode(ByteBuffer.wrap(frame),
                        e -> back.add(((HeaderBodyDecoder.Frame) e).header()));
            } catch (ProtocolException e) {
                throw new AssertionError("our own frame did not decode: " + e.getMessage(), e);
            }
            assertThat(back).containsExactly(ChatFrames.json(echo).put(HeaderBodyDecoder.SIZE_FIELD, 0));
        }
    }

    private static List<LineDecoder.Event> lines(List<byte[]> pieces) throws ProtocolException {
        LineDecoder d = new LineDecoder(MAX_LINE, LineDecoder.OnOverlong.DISCARD);
        List<LineDecoder.Event> out = new ArrayList<>();
        for (byte[] p : pieces) d.decode(ByteBuffer.wrap(p), out::add);
        return out;
    }

}
