package dev.polyserve.services.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A member as the bus sees it, with a hold for the moment between its seat and its greeting. A bus that claims
 * names remotely (Redis, the prefork master) seats the member on its own thread when the claim succeeds, and may
 * deliver other members' lines at once; the session writes "Hello NAME! Here: ..." a hop later on the member's
 * executor. While the claim is out, deliveries wait here, so the newcomer reads its answer first and then the room,
 * in the order the room produced it. The session's own replies to commands typed meanwhile are not held.
 */
final class GreetingHold implements Member {
    /**
     * Deliveries kept while a claim is out: a claim is one round trip (well under a millisecond on loopback, a few
     * over a network), in which a busy room of a thousand members talking at 10 lines/s each says about ten lines.
     * Past this the member is as slow as one that does not read, and is dropped the same way.
     */
    static final int MAX_HELD_DELIVERIES = 1_024;

    private final Member member;
    /** Null when nothing is held back (the fast path needs only this read); otherwise the deliveries waiting. */
    private volatile List<Delivery> held;

    GreetingHold(Member member) {
        this.member = member;
    }

    /** From now on deliveries wait, until {@link #release}. Called on the member's executor before a claim. */
    synchronized void hold() {
        if (held == null) held = new ArrayList<>();
    }

    /**
     * Delivers {@code answer} (the greeting, or the reason there is none; may be null), then everything held, and
     * lets later deliveries through. Returns false if the member could not take them all (too slow).
     */
    synchronized boolean release(Delivery answer) {
        boolean taken = answer == null || member.deliver(answer);
        if (held != null) {
            for (Delivery d : held) taken &= member.deliver(d);
            held = null;
        }
        return taken;
    }

    /** The session's own reply (to a command typed meanwhile): never held, it answers what the client just did. */
    boolean reply(Delivery delivery) {
        return member.deliver(delivery);
    }

    @Override
    public boolean deliver(Delivery delivery) {
        if (held == null) return member.deliver(delivery);
        synchronized (this) {
            if (held == null) return member.deliver(delivery);   // released meanwhile: everything held went first
            if (held.size() >= MAX_HELD_DELIVERIES) return false;
            held.add(delivery);
            return true;
        }
    }

    @Override
    public void drop() {
        member.drop();
    }
}
