package dev.polyserve.services.chat.redis;

import dev.polyserve.services.chat.ChatEvent;
import dev.polyserve.services.chat.ChatEventCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the nodes of one room say on its Redis channel, and its bytes: a kind byte, then fields (strings as a 4-byte
 * length and UTF-8, numbers as 8 bytes big-endian; {@link Presence} comes from Lua and spells its version as a
 * string). A node's own lines are {@link Event}s numbered by a sequence of its own; the other messages keep that
 * stream whole (nobody misses a line, nobody sees one twice) and presence in step.
 */
sealed interface RoomWire {

    /** The {@code seq}th event from {@code node}: for everyone, or only for the member called {@code to}. */
    record Event(String node, long seq, String to, ChatEvent event) implements RoomWire {
        static final String EVERYONE = "";
    }

    /** {@code node} is alive and has sent events up to {@code lastSeq}: a listener behind it asks for the rest. */
    record Heartbeat(String node, long lastSeq) implements RoomWire {}

    /** {@code requester} asks {@code node} to send its events {@code first..last} again. */
    record Resend(String requester, String node, long first, long last) implements RoomWire {}

    /** {@code node} no longer has its events {@code first..last}: listeners stop waiting for them. */
    record Missing(String node, long first, long last) implements RoomWire {}

    /** A presence change, published by {@link RoomScripts} with the room's presence {@code version}. */
    record Presence(byte kind, long version, String node, String name) implements RoomWire {}

    byte EVENT = 1, HEARTBEAT = 2, RESEND = 3, MISSING = 4;
    /** Presence kinds: a name taken, a name freed, a name freed because its node's lease ran out (announced as left). */
    byte PRESENT = 5, ABSENT = 6, GONE = 7;

    static byte[] encode(RoomWire m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (m) {
                case Event(String node, long seq, String to, ChatEvent event) -> {
                    out.writeByte(EVENT); ChatEventCodec.writeString(out, node); out.writeLong(seq);
                    ChatEventCodec.writeString(out, to); ChatEventCodec.write(out, event);
                }
                case Heartbeat(String node, long lastSeq) -> {
                    out.writeByte(HEARTBEAT); ChatEventCodec.writeString(out, node); out.writeLong(lastSeq);
                }
                case Resend(String requester, String node, long first, long last) -> {
                    out.writeByte(RESEND); ChatEventCodec.writeString(out, requester); ChatEventCodec.writeString(out, node);
                    out.writeLong(first); out.writeLong(last);
                }
                case Missing(String node, long first, long last) -> {
                    out.writeByte(MISSING); ChatEventCodec.writeString(out, node); out.writeLong(first); out.writeLong(last);
                }
                case Presence(byte kind, long version, String node, String name) -> {
                    out.writeByte(kind); ChatEventCodec.writeString(out, Long.toString(version));
                    ChatEventCodec.writeString(out, node); ChatEventCodec.writeString(out, name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a message of this room's wire */
    static RoomWire decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte kind = in.readByte();
            RoomWire m = switch (kind) {
                case EVENT -> new Event(ChatEventCodec.readString(in), in.readLong(), ChatEventCodec.readString(in), ChatEventCodec.read(in));
                case HEARTBEAT -> new Heartbeat(ChatEventCodec.readString(in), in.readLong());
                case RESEND -> new Resend(ChatEventCodec.readString(in), ChatEventCodec.readString(in), in.readLong(), in.readLong());
                case MISSING -> new Missing(ChatEventCodec.readString(in), in.readLong(), in.readLong());
                case PRESENT, ABSENT, GONE -> {
                    String version = ChatEventCodec.readString(in);
                    try {
                        yield new Presence(kind, Long.parseLong(version), ChatEventCodec.readString(in), ChatEventCodec.readString(in));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("a presence version that is not a number: " + version);
                    }
                }
                default -> throw new IllegalArgumentException("unknown room message kind " + kind);
            };
            if (in.available() > 0) throw new IllegalArgumentException(in.available() + " stray bytes after a room message");
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated room message", e);
        }
    }
}
