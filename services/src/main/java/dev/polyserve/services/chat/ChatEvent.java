package dev.polyserve.services.chat;

import java.util.List;

/** What a member is told. Rendered as a text line or a JSON frame by the member's {@link ChatProtocol}. */
public sealed interface ChatEvent {

    /** A message from the server to this member only. */
    record Notice(Kind kind, String text) implements ChatEvent {}

    record Joined(String name) implements ChatEvent {}

    record Left(String name, Reason reason) implements ChatEvent {}

    /** A plain line, broadcast. */
    record Said(String from, String text) implements ChatEvent {}

    /** {@code /me}: an action, broadcast. */
    record Acted(String from, String text) implements ChatEvent {}

    /** {@code /msg}, as the recipient sees it. */
    record PrivateFrom(String from, String text) implements ChatEvent {}

    /** {@code /msg}, as the sender sees it (confirmation). */
    record PrivateTo(String to, String text) implements ChatEvent {}

    record Renamed(String from, String to) implements ChatEvent {}

    /** An admin announcement (console or {@code /admin}). */
    record Announcement(String text) implements ChatEvent {}

    /** {@code /list}: who is here. */
    record Members(List<String> names) implements ChatEvent {
        public Members {
            names = List.copyOf(names);
        }
    }

    /** Why someone left; shown after the name unless it is an ordinary leave. */
    enum Reason {
        LEFT(""), TOO_SLOW(" (too slow)"), FLOODING(" (flooding)"), PROTOCOL_ERROR(" (protocol error)"),
        IDLE(" (idle)"), UNFINISHED_LINE(" (unfinished line)");

        final String suffix;

        Reason(String suffix) {
            this.suffix = suffix;
        }
    }

    /** What a notice is about, for programs (the frames protocol sends it as {@code code}). */
    enum Kind {
        WELCOME, ASK_NAME, NAME_TAKEN, NAME_INVALID, HELLO, LINE_TOO_LONG, BAD_TEXT, FLOOD, UNKNOWN_COMMAND,
        USAGE, NO_SUCH_MEMBER, NOT_ADMIN, ROOM_FULL, HELP, BYE, PROTOCOL_ERROR, IDLE, SHUTDOWN,
        /** The room's link to other nodes (Redis) is down, or back. */
        RECONNECTING, RECONNECTED,
        /** A line the room could not take (its link is down and it holds all it may). */
        NOT_SENT,
        /** A line (or frame) left unfinished past the deadline: the connection is closed. */
        UNFINISHED_LINE;

        /** The frames-protocol spelling: {@code NAME_TAKEN} -> {@code name-taken}. */
        String code() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
