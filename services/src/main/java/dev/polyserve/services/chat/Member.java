package dev.polyserve.services.chat;

/**
 * A member's connection as the room sees it. Called from any thread (every sender delivers on its own), so
 * implementations must be thread-safe and must never block.
 */
public interface Member {

    /**
     * Queues {@code delivery} for the member. Returns false, queueing nothing, if the member already has more
     * unsent bytes than it may (a slow reader); the bus then drops it.
     */
    boolean deliver(Delivery delivery);

    /** Ends the member's connection at once (it was too slow); the member's own leave then finds it gone. */
    void drop();
}
