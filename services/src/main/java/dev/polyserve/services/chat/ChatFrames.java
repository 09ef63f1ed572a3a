package dev.polyserve.services.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.polyserve.core.codec.HeaderBodyEncoder;
import java.nio.ByteBuffer;

/**
 * The JSON-frames rendering (header+body frames with an empty body). Server to client, e.g.
 * {@code {"type":"said","from":"ann","text":"hi","size":0}}; client to server:
 * {@code {"type":"name","name":"ann"}}, {@code {"type":"say","text":"hi"}}, {@code {"type":"msg","to":"bob","text":"psst"}},
 * {@code {"type":"me","text":"waves"}}, {@code {"type":"nick","name":"anne"}}, {@code {"type":"list"}},
 * {@code {"type":"help"}}, {@code {"type":"admin","text":"..."}}, {@code {"type":"quit"}}.
 */
final class ChatFrames {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * Room for the JSON around a maximal text: field names, quoting, and escapes (a control character can grow
     * to six bytes as {@code \\u0001}, so the text's share is counted six times over).
     */
    static int maxHeaderBytes(ChatLimits limits) {
        return 6 * limits.maxLineBytes() + 1024;
    }

    private ChatFrames() {}

    static byte[] encode(ChatEvent event) {
        ByteBuffer frame = HeaderBodyEncoder.encode(json(event), new byte[0]);
        return frame.array();
    }

    /** The event as one JSON object, e.g. {@code {"type":"said","from":"ann","text":"hi"}}. */
    static ObjectNode json(ChatEvent event) {
        ObjectNode h = JSON.objectNode();
        switch (event) {
            case ChatEvent.Notice(ChatEvent.Kind kind, String text) -> h.put("type", "notice").put("code", kind.code()).put("text", text);
            case ChatEvent.Joined(String name) -> h.put("type", "joined").put("name", name);
            case ChatEvent.Left(String name, ChatEvent.Reason reason) ->
                    h.put("type", "left").put("name", name).put("reason", reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            case ChatEvent.Said(String from, String text) -> h.put("type", "said").put("from", from).put("text", text);
            case ChatEvent.Acted(String from, String text) -> h.put("type", "acted").put("from", from).put("text", text);
            case ChatEvent.PrivateFrom(String from, String text) -> h.put("type", "private").put("from", from).put("text", text);
            case ChatEvent.PrivateTo(String to, String text) -> h.put("type", "private-sent").put("to", to).put("text", text);
            case ChatEvent.Renamed(String from, String to) -> h.put("type", "renamed").put("from", from).put("to", to);
            case ChatEvent.Announcement(String text) -> h.put("type", "admin").put("text", text);
            case ChatEvent.Members(java.util.List<String> names) -> {
                h.put("type", "members");
                ArrayNode list = h.putArray("names");
                names.forEach(list::add);
            }
        }
        return h;
    }

    static ChatCommand parse(ObjectNode h, boolean named) {
        String type = text(h, "type");
        if (type == null) return new ChatCommand.Usage("{\"type\": ...} (see /help)");
        return switch (type) {
            case "name", "nick" -> field(h, "name", n -> new ChatCommand.Name(n.strip()), "{\"type\":\"" + type + "\",\"name\":NAME}");
            case "say" -> field(h, "text", ChatCommand.Say::new, "{\"type\":\"say\",\"text\":TEXT}");
            case "me" -> field(h, "text", ChatCommand.Me::new, "{\"type\":\"me\",\"text\":TEXT}");
            case "admin" -> field(h, "text", ChatCommand.Admin::new, "{\"type\":\"admin\",\"text\":TEXT}");
            case "msg" -> {
                String to = text(h, "to");
                String text = text(h, "text");
                yield to == null || text == null || text.isEmpty()
                        ? new ChatCommand.Usage("{\"type\":\"msg\",\"to\":NAME,\"text\":TEXT}")
                        : new ChatCommand.Private(to, text);
            }
            case "list" -> new ChatCommand.ListMembers();
            case "help" -> new ChatCommand.Help();
            case "quit" -> new ChatCommand.Quit();
            default -> new ChatCommand.Unknown(type);
        };
    }

    private static ChatCommand field(ObjectNode h, String name, java.util.function.Function<String, ChatCommand> make, String usage) {
        String value = text(h, name);
        return value == null || value.isEmpty() ? new ChatCommand.Usage(usage) : make.apply(value);
    }

    private static String text(ObjectNode h, String field) {
        JsonNode n = h.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }
}
