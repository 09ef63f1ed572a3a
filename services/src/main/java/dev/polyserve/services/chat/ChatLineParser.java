package dev.polyserve.services.chat;

/** Reads one typed line as a command. Sans-I/O: a pure function of the line and whether a name is set. */
final class ChatLineParser {
    private ChatLineParser() {}

    static ChatCommand parse(String line, boolean named) {
        if (line.isBlank()) return new ChatCommand.Nothing();
        if (!line.startsWith("/")) {
            return named ? new ChatCommand.Say(line) : new ChatCommand.Name(line.strip());
        }
        if (line.startsWith("//")) {
            // "//etc" says "/etc": a way to start a message with a slash.
            return named ? new ChatCommand.Say(line.substring(1)) : new ChatCommand.Name(line.substring(1).strip());
        }
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line.substring(1) : line.substring(1, space)).toLowerCase(java.util.Locale.ROOT);
        String rest = space < 0 ? "" : line.substring(space + 1).strip();
        return switch (verb) {
            case "list", "who" -> new ChatCommand.ListMembers();
            case "help", "?" -> new ChatCommand.Help();
            case "quit", "exit" -> new ChatCommand.Quit();
            case "nick", "name" -> rest.isEmpty() || rest.codePoints().anyMatch(Character::isWhitespace)
                    ? new ChatCommand.Usage("/nick NEWNAME (one word, no spaces)") : new ChatCommand.Name(rest);
            case "me" -> rest.isEmpty() ? new ChatCommand.Usage("/me ACTION") : new ChatCommand.Me(rest);
            case "admin" -> rest.isEmpty() ? new ChatCommand.Usage("/admin TEXT") : new ChatCommand.Admin(rest);
            case "msg", "tell" -> {
                int gap = rest.indexOf(' ');
                if (gap < 0) yield new ChatCommand.Usage("/msg NAME TEXT");
                String text = rest.substring(gap + 1).strip();
                yield text.isEmpty() ? new ChatCommand.Usage("/msg NAME TEXT") : new ChatCommand.Private(rest.substring(0, gap), text);
            }
            default -> new ChatCommand.Unknown("/" + verb);
        };
    }
}
