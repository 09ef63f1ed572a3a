package dev.polyserve.services.chat;

import dev.polyserve.core.codec.FrameLimits;
import dev.polyserve.core.codec.HeaderBodyDecoder;
import dev.polyserve.core.codec.LineDecoder;

/** How a member's connection speaks: UTF-8 text lines (nc, telnet, the polyserve client) or JSON frames (programs). */
public enum ChatProtocol {
    LINES {
        @Override
        byte[] encode(ChatEvent event) {
            return ChatLines.encode(event);
        }

        @Override
        ChatReader reader(ChatLimits limits) {
            LineDecoder decoder = new LineDecoder(limits.maxLineBytes(), LineDecoder.OnOverlong.DISCARD);
            return (in, session) -> {
                decoder.decode(in, e -> {
                    switch (e) {
                        case LineDecoder.Line(String text) -> session.onInput(named -> ChatLineParser.parse(text, named));
                        case LineDecoder.Overlong o -> session.onOverlong();
                    }
                });
                session.endOfBatch();
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
            return (in, session) -> {
                decoder.decode(in, e -> {
                    if (e instanceof HeaderBodyDecoder.Frame f) session.onInput(named -> ChatFrames.parse(f.header(), named));
                });
                session.endOfBatch();
            };
        }
    };

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
