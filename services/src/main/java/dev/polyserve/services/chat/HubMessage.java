package dev.polyserve.services.chat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

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

    // event kinds
    byte JOINED = 1, LEFT = 2, SAID = 3, ACTED = 4, PRIVATE_FROM = 5, RENAMED = 6, ANNOUNCEMENT = 7;

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
                case Relay(ChatEvent event) -> { out.writeByte(RELAY); event(out, event); }
                case Direct(String name, ChatEvent event) -> { out.writeByte(DIRECT); string(out, name); event(out, event); }
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
                case RELAY -> new Relay(event(in));
                case DIRECT -> new Direct(string(in), event(in));
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

    private static void event(DataOutputStream out, ChatEvent e) throws IOException {
        switch (e) {
            case ChatEvent.Joined(String name) -> { out.writeByte(JOINED); string(out, name); }
            case ChatEvent.Left(String name, ChatEvent.Reason reason) -> { out.writeByte(LEFT); string(out, name); out.writeByte(reason.ordinal()); }
            case ChatEvent.Said(String from, String text) -> { out.writeByte(SAID); string(out, from); string(out, text); }
            case ChatEvent.Acted(String from, String text) -> { out.writeByte(ACTED); string(out, from); string(out, text); }
            case ChatEvent.PrivateFrom(String from, String text) -> { out.writeByte(PRIVATE_FROM); string(out, from); string(out, text); }
            case ChatEvent.Renamed(String from, String to) -> { out.writeByte(RENAMED); string(out, from); string(out, to); }
            case ChatEvent.Announcement(String text) -> { out.writeByte(ANNOUNCEMENT); string(out, text); }
            case ChatEvent.Notice n -> throw new IllegalArgumentException("notices are for one connection, never relayed");
            case ChatEvent.PrivateTo p -> throw new IllegalArgumentException("a sender's own confirmation is never relayed");
            case ChatEvent.Members l -> throw new IllegalArgumentException("a /list answer is never relayed");
        }
    }

    private static ChatEvent event(DataInputStream in) throws IOException {
        return switch (in.readByte()) {
            case JOINED -> new ChatEvent.Joined(string(in));
            case LEFT -> {
                String name = string(in);
                int reason = in.readUnsignedByte();
                if (reason >= ChatEvent.Reason.values().length) throw new IllegalArgumentException("unknown leave reason " + reason);
                yield new ChatEvent.Left(name, ChatEvent.Reason.values()[reason]);
            }
            case SAID -> new ChatEvent.Said(string(in), string(in));
            case ACTED -> new ChatEvent.Acted(string(in), string(in));
            case PRIVATE_FROM -> new ChatEvent.PrivateFrom(string(in), string(in));
            case RENAMED -> new ChatEvent.Renamed(string(in), string(in));
            case ANNOUNCEMENT -> new ChatEvent.Announcement(string(in));
            default -> throw new IllegalArgumentException("unknown relayed event kind");
        };
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new IllegalArgumentException("a string of " + n + " bytes in a shorter hub message");
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
