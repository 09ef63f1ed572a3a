package dev.polyserve.services.chat;

import java.nio.charset.StandardCharsets;

/** The text rendering of events, one or more CRLF-terminated UTF-8 lines (CRLF so telnet shows them right too). */
final class ChatLines {
    static final String EOL = "\r\n";

    private ChatLines() {}

    static byte[] encode(ChatEvent event) {
        return (render(event) + EOL).getBytes(StandardCharsets.UTF_8);
    }

    static String render(ChatEvent event) {
        return switch (event) {
            case ChatEvent.Notice(ChatEvent.Kind kind, String text) -> "* " + text.replace("\n", EOL + "* ");
            case ChatEvent.Joined(String name) -> "* " + name + " joined";
            case ChatEvent.Left(String name, ChatEvent.Reason reason) -> "* " + name + " left" + reason.suffix;
            case ChatEvent.Said(String from, String text) -> from + ": " + text;
            case ChatEvent.Acted(String from, String text) -> "* " + from + " " + text;
            case ChatEvent.PrivateFrom(String from, String text) -> "[private] " + from + ": " + text;
            case ChatEvent.PrivateTo(String to, String text) -> "[private to " + to + "] " + text;
            case ChatEvent.Renamed(String from, String to) -> "* " + from + " is now known as " + to;
            case ChatEvent.Announcement(String text) -> "[admin] " + text;
            case ChatEvent.Members(java.util.List<String> names) ->
                    "* " + names.size() + (names.size() == 1 ? " member: " : " members: ") + String.join(", ", names);
        };
    }
}
