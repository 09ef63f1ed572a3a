package dev.polyserve.core.auth;

/**
 * Implemented by a handler that wants to know which key its client proved it holds (e.g. the chat room grants
 * {@code /admin} to holders of the admin key). {@link HmacGate} calls it once, before {@code onOpen}.
 */
public interface Authenticated {

    /** The client answered the challenge with the key registered under {@code keyName}. */
    void authenticated(String keyName);
}
