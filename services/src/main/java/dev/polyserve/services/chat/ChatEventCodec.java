package dev.polyserve.services.chat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a room event on its way to other processes (the prefork hub's {@link HubMessage}, the Redis bus's
 * channel messages): a one-byte kind, then its fields, strings as a 4-byte length and UTF-8. Only events that go to
 * other members travel; a member's own notices, confirmations and {@code /list} answers never leave its process.
 */
public final class ChatEventCodec {
    private static final byte JOINED = 1, LEFT = 2, SAID = 3, ACTED = 4, PRIVATE_FROM = 5, RENAMED = 6, ANNOUNCEMENT = 7;

    private ChatEventCodec() {}

    public static void write(DataOutputStream out, ChatEvent e) throws IOException {
        switch (e) {
            case ChatEvent.Joined(String name) -> { out.writeByte(JOINED); writeString(out, name); }
            case ChatEvent.Left(String name, ChatEvent.Reason reason) -> { out.writeByte(LEFT); writeString(out, name); out.writeByte(reason.ordinal()); }
            case ChatEvent.Said(String from, String text) -> { out.writeByte(SAID); writeString(out, from); writeString(out, text); }
            case ChatEvent.Acted(String from, String text) -> { out.writeByte(ACTED); writeString(out, from); writeString(out, text); }
            case ChatEvent.PrivateFrom(String from, String text) -> { out.writeByte(PRIVATE_FROM); writeString(out, from); writeString(out, text); }
            case ChatEvent.Renamed(String from, String to) -> { out.writeByte(RENAMED); writeString(out, from); writeString(out, to); }
            case ChatEvent.Announcement(String text) -> { out.writeByte(ANNOUNCEMENT); writeString(out, text); }
            case ChatEvent.Notice n -> throw new IllegalArgumentException("notices are for one connection, never relayed");
            case ChatEvent.PrivateTo p -> throw new IllegalArgumentException("a sender's own confirmation is never relayed");
            case ChatEvent.Members l -> throw new IllegalArgumentException("a /list answer is never relayed");
        }
    }

    /** @throws IllegalArgumentException if the bytes are not an event {@link #write} wrote */
    public static ChatEvent read(DataInputStream in) throws IOException {
        return switch (in.readByte()) {
            case JOINED -> new ChatEvent.Joined(readString(in));
            case LEFT -> {
                String name = readString(in);
                int reason = in.readUnsignedByte();
                if (reason >= ChatEvent.Reason.values().length) throw new IllegalArgumentException("unknown leave reason " + reason);
                yield new ChatEvent.Left(name, ChatEvent.Reason.values()[reason]);
            }
            case SAID -> new ChatEvent.Said(readString(in), readString(in));
            case ACTED -> new ChatEvent.Acted(readString(in), readString(in));
            case PRIVATE_FROM -> new ChatEvent.PrivateFrom(readString(in), readString(in));
            case RENAMED -> new ChatEvent.Renamed(readString(in), readString(in));
            case ANNOUNCEMENT -> new ChatEvent.Announcement(readString(in));
            default -> throw new IllegalArgumentException("unknown relayed event kind");
        };
    }

    public static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** @throws IllegalArgumentException if the length does not fit what is left of the message */
    public static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new IllegalArgumentException("a string of " + n + " bytes in a shorter message");
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
