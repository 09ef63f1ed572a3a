package dev.polyserve.services.chat;

import java.util.EnumMap;
import java.util.Map;

/**
 * One event on its way to many members. It renders the wire bytes once per protocol and shares them, so a
 * broadcast to a thousand members encodes once, not a thousand times. Thread-safe.
 */
public final class Delivery {
    private final ChatEvent event;
    private final Map<ChatProtocol, byte[]> encoded = new EnumMap<>(ChatProtocol.class);

    public Delivery(ChatEvent event) {
        this.event = event;
    }

    public ChatEvent event() {
        return event;
    }

    /** The event's bytes in {@code protocol}; the array is shared: never modify it. */
    public synchronized byte[] bytes(ChatProtocol protocol) {
        return encoded.computeIfAbsent(protocol, p -> p.encode(event));
    }
}
