package dev.polyserve.services.chat;

/**
 * A line or frame as received, before it means anything: a plain line is the member's name until one is set and
 * a message after. A session reads it when its turn comes, so input that waits behind a name claim still means
 * what the client meant.
 */
@FunctionalInterface
interface ChatInput {
    ChatCommand parse(boolean named);
}
