package dev.polyserve.services.chat;

import dev.polyserve.core.codec.ProtocolException;
import java.nio.ByteBuffer;

/** Turns one connection's bytes into commands for its session. */
@FunctionalInterface
interface ChatReader {
    void read(ByteBuffer in, ChatSession session) throws ProtocolException;
}
