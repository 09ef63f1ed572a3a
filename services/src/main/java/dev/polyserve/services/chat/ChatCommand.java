package dev.polyserve.services.chat;

/** What a member asks for, whether it came as a text line or a JSON frame. */
sealed interface ChatCommand {

    /** Pick a name (before joining) or change it ({@code /nick}). */
    record Name(String name) implements ChatCommand {}

    record Say(String text) implements ChatCommand {}

    record Private(String to, String text) implements ChatCommand {}

    record Me(String text) implements ChatCommand {}

    record ListMembers() implements ChatCommand {}

    record Help() implements ChatCommand {}

    record Quit() implements ChatCommand {}

    record Admin(String text) implements ChatCommand {}

    /** Nothing to do (an empty line). */
    record Nothing() implements ChatCommand {}

    /** A command nobody knows. */
    record Unknown(String verb) implements ChatCommand {}

    /** A known command used wrongly; {@code usage} says how to use it. */
    record Usage(String usage) implements ChatCommand {}
}
