package dev.polyserve.services.chat;

import java.io.ByteArrayOutputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One event, or a run of events, on its way to many members. It renders the wire bytes once per protocol and
 * shares them, so a broadcast to a thousand members encodes once, not a thousand times; a run of events (the
 * relayed events a prefork worker received together) goes to each member as one write. Thread-safe.
 */
public final class Delivery {
    private final List<ChatEvent> events;
    private final Map<ChatProtocol, byte[]> encoded = new EnumMap<>(ChatProtocol.class);

    public Delivery(ChatEvent event) {
        this.events = List.of(event);
    }

    /** The events in order, as one delivery. */
    public Delivery(List<ChatEvent> events) {
        if (events.isEmpty()) throw new IllegalArgumentException("a delivery needs at least one event");
        this.events = List.copyOf(events);
    }

    /** The events' bytes in {@code protocol}; the array is shared: never modify it. */
    public synchronized byte[] bytes(ChatProtocol protocol) {
        return encoded.computeIfAbsent(protocol, p -> {
            if (events.size() == 1) return p.encode(events.getFirst());
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (ChatEvent e : events) all.writeBytes(p.encode(e));
            return all.toByteArray();
        });
    }
}
