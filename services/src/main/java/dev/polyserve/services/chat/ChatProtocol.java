package dev.polyserve.services.chat;

import dev.polyserve.core.codec.Decoder;
import dev.polyserve.core.codec.FrameLimits;
import dev.polyserve.core.codec.HeaderBodyDecoder;
import dev.polyserve.core.codec.LineDecoder;
import dev.polyserve.core.codec.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * How a member's connection speaks: UTF-8 text lines (nc, telnet, the polyserve client), JSON frames (programs), or
 * the browser page's WebSocket messages.
 */
public enum ChatProtocol {
    LINES {
        @Override
        byte[] encode(ChatEvent event) {
            return ChatLines.encode(event);
        }

        @Override
        ChatReader reader(ChatLimits limits) {
            LineDecoder decoder = new LineDecoder(limits.maxLineBytes(), LineDecoder.OnOverlong.DISCARD);
            return new DecodingReader(decoder) {
                @Override
                public void read(java.nio.ByteBuffer in, ChatSession session) throws ProtocolException {
                    decoder.decode(in, e -> {
                        messages++;
                        switch (e) {
                            case LineDecoder.Line(String text) -> session.onInput(named -> ChatLineParser.parse(text, named));
                            case LineDecoder.Overlong o -> session.onOverlong();
                        }
                    });
                    session.endOfBatch();
                }
            };
        }
    },
    FRAMES {
        @Override
        byte[] encode(ChatEvent event) {
            return ChatFrames.encode(event);
        }

        @Override
        ChatReader reader(ChatLimits limits) {
            // Chat frames carry everything in the header; a body is a protocol error (max body 0).
            HeaderBodyDecoder decoder = new HeaderBodyDecoder(
                    new FrameLimits(ChatFrames.maxHeaderBytes(limits), 0, 0));
            return new DecodingReader(decoder) {
                @Override
                public void read(java.nio.ByteBuffer in, ChatSession session) throws ProtocolException {
                    decoder.decode(in, e -> {
                        messages++;
                        if (e instanceof HeaderBodyDecoder.Frame f) session.onInput(named -> ChatFrames.parse(f.header(), named));
                    });
                    session.endOfBatch();
                }
            };
        }
    },
    /**
     * The browser page's WebSocket: each text message from the page is one line, read exactly as a TCP member's
     * line (name, then messages and commands); each event to the page is one JSON object as in {@link #FRAMES}, on a
     * line of its own, so a run of events travels as one message of several lines. Its reader takes one message;
     * the member ends the batch once per read ({@link ChatWebMember}).
     */
    WEB {
        @Override
        byte[] encode(ChatEvent event) {
            byte[] json = ChatFrames.json(event).toString().getBytes(StandardCharsets.UTF_8);
            byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            return line;
        }

        @Override
        ChatReader reader(ChatLimits limits) {
            return (in, session) -> {
                if (in.remaining() > limits.maxLineBytes()) {
                    in.position(in.limit());
                    session.onOverlong();
                    return;
                }
                String line = StandardCharsets.UTF_8.decode(in).toString();
                session.onInput(named -> ChatLineParser.parse(line, named));
            };
        }
    };

    /** A reader over a byte-stream decoder, which knows when it holds part of a message. */
    private abstract static class DecodingReader implements ChatReader {
        private final Decoder<?> decoder;
        long messages;

        DecodingReader(Decoder<?> decoder) {
            this.decoder = decoder;
        }

        @Override
        public boolean midMessage() {
            return decoder.midFrame();
        }

        @Override
        public long messages() {
            return messages;
        }
    }

    /** The wire form of one event. */
    abstract byte[] encode(ChatEvent event);

    /** A fresh reader for one connection. */
    abstract ChatReader reader(ChatLimits limits);

    /** Parses {@code lines} or {@code frames} (the {@code --protocol} option). */
    public static ChatProtocol parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "lines", "line", "text" -> LINES;
            case "frames", "frame", "json" -> FRAMES;
            default -> throw new IllegalArgumentException("unknown chat protocol '" + name + "'; use lines or frames");
        };
    }
}
