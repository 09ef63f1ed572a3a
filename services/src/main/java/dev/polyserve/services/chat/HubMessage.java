package dev.polyserve.services.chat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a prefork worker's {@link RelayedChatBus} and the master's {@link ChatHub} tell each other, and its bytes:
 * a one-byte kind, then fields (strings as a 4-byte length and UTF-8). The hub forwards {@link Relay} and
 * {@link Direct} bytes unchanged, so an event is encoded once on its way to every worker.
 */
sealed interface HubMessage {

    // worker -> hub

    /** Claim {@code name}; the answer is a {@link Reply} with a {@link ChatBus.Join} ordinal. */
    record Join(long id, String name) implements HubMessage {}

    /** Move a name; the answer is a {@link Reply} with 1 (moved) or 0 (taken). */
    record Rename(long id, String from, String to) implements HubMessage {}

    /** A name is free again. */
    record Leave(String name) implements HubMessage {}

    // both ways

    /** An event for every member (to the hub: every member on the other workers). */
    record Relay(ChatEvent event) implements HubMessage {}

    /** An event for the member called {@code name} only. */
    record Direct(String name, ChatEvent event) implements HubMessage {}

    // hub -> worker

    record Reply(long id, int answer) implements HubMessage {}

    /** {@code name} is held on another worker. */
    record Present(String name) implements HubMessage {}

    /** {@code name} is no longer held on another worker. */
    record Absent(String name) implements HubMessage {}

    // wire kinds
    byte JOIN = 1, RENAME = 2, LEAVE = 3, RELAY = 4, DIRECT = 5, REPLY = 6, PRESENT = 7, ABSENT = 8;

    /** The first byte: what the hub needs to route a message without decoding the rest. */
    static byte kind(byte[] bytes) {
        if (bytes.length == 0) throw new IllegalArgumentException("an empty hub message");
        return bytes[0];
    }

    static byte[] encode(HubMessage m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (m) {
                case Join(long id, String name) -> { out.writeByte(JOIN); out.writeLong(id); string(out, name); }
                case Rename(long id, String from, String to) -> { out.writeByte(RENAME); out.writeLong(id); string(out, from); string(out, to); }
                case Leave(String name) -> { out.writeByte(LEAVE); string(out, name); }
                case Relay(ChatEvent event) -> { out.writeByte(RELAY); ChatEventCodec.write(out, event); }
                case Direct(String name, ChatEvent event) -> { out.writeByte(DIRECT); string(out, name); ChatEventCodec.write(out, event); }
                case Reply(long id, int answer) -> { out.writeByte(REPLY); out.writeLong(id); out.writeInt(answer); }
                case Present(String name) -> { out.writeByte(PRESENT); string(out, name); }
                case Absent(String name) -> { out.writeByte(ABSENT); string(out, name); }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a message this code encodes */
    static HubMessage decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            HubMessage m = switch (in.readByte()) {
                case JOIN -> new Join(in.readLong(), string(in));
                case RENAME -> new Rename(in.readLong(), string(in), string(in));
                case LEAVE -> new Leave(string(in));
                case RELAY -> new Relay(ChatEventCodec.read(in));
                case DIRECT -> new Direct(string(in), ChatEventCodec.read(in));
                case REPLY -> new Reply(in.readLong(), in.readInt());
                case PRESENT -> new Present(string(in));
                case ABSENT -> new Absent(string(in));
                default -> throw new IllegalArgumentException("unknown hub message kind " + bytes[0]);
            };
            if (in.available() > 0) throw new IllegalArgumentException(in.available() + " stray bytes after a hub message");
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated hub message", e);
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        ChatEventCodec.writeString(out, s);
    }

    private static String string(DataInputStream in) throws IOException {
        return ChatEventCodec.readString(in);
    }
}
