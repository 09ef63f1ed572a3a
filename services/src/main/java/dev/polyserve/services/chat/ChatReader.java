package dev.polyserve.services.chat;

import dev.polyserve.core.codec.ProtocolException;
import java.nio.ByteBuffer;

/** Turns one connection's bytes into commands for its session. */
@FunctionalInterface
interface ChatReader {
    void read(ByteBuffer in, ChatSession session) throws ProtocolException;

    /** True while the bytes of an unfinished message (a line without its end, part of a frame) are held. */
    default boolean midMessage() {
        return false;
    }

    /** Messages read whole so far (a count that only grows): tells a message finished from one still unfinished. */
    default long messages() {
        return 0;
    }
}
