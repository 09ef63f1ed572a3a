package dev.polyserve.services.chat.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One other node's events as this node receives them: each delivered once, in that node's order. Duplicates (a
 * publish Lettuce sent again after a reconnect, an answer to someone else's resend request) are dropped; events
 * after a gap wait until the gap is filled by a resend, or until the sender says it no longer has them, or until
 * the wait is given up. Not thread-safe: the bus's inbox thread owns it.
 */
final class InboundStream {
    /** Last delivered sequence number; {@code UNKNOWN} until the first event or heartbeat from the sender. */
    private static final long UNKNOWN = -1;

    private final int maxPending;
    private long delivered = UNKNOWN;
    /** Highest sequence number the sender is known to have sent. */
    private long heard;
    private final TreeMap<Long, RoomWire.Event> pending = new TreeMap<>();
    private long gapSince;
    private long lastAsked;
    private long deliveredWhenAsked;
    private boolean asked;
    private long duplicates;
    private long lost;

    InboundStream(int maxPending) {
        this.maxPending = maxPending;
    }

    /**
     * Where a sender first heard of starts: {@code fromStart} (this node's subscription has been down since it
     * started, so the sender may have begun while it was away: every event counts) or at what it first hears.
     */
    private void begin(long seq, boolean fromStart) {
        if (delivered == UNKNOWN) delivered = fromStart ? 0 : seq;
    }

    /** An event arrived; returns the events that can now be delivered, in order. */
    List<RoomWire.Event> offer(RoomWire.Event e, boolean fromStart, long now) {
        begin(e.seq() - 1, fromStart);
        if (e.seq() <= delivered || pending.containsKey(e.seq())) {
            duplicates++;
            return List.of();
        }
        boolean wasOpen = gapOpen();
        heard = Math.max(heard, e.seq());
        if (!wasOpen && e.seq() == delivered + 1) {
            delivered++;
            return List.of(e);
        }
        if (!wasOpen) gapSince = now;
        pending.put(e.seq(), e);
        List<RoomWire.Event> ready = drain();
        if (pending.size() > maxPending) ready.addAll(giveUp());
        return ready;
    }

    /** The sender says it has sent up to {@code lastSeq}. */
    void heard(long lastSeq, boolean fromStart, long now) {
        begin(lastSeq, fromStart);
        boolean wasOpen = gapOpen();
        if (lastSeq > heard) heard = lastSeq;
        if (!wasOpen && gapOpen()) gapSince = now;
    }

    /** The sender no longer has {@code first..last}: skip them; returns what can now be delivered. */
    List<RoomWire.Event> missing(long first, long last) {
        if (delivered == UNKNOWN || last <= delivered || first > delivered + 1) return List.of();
        lost += last - delivered;
        delivered = last;
        List<RoomWire.Event> ready = drain();
        asked = false;
        return ready;
    }

    /** True while events are known to exist that have not been delivered. */
    boolean gapOpen() {
        return delivered != UNKNOWN && heard > delivered;
    }

    /**
     * The range to ask the sender for now, or null: when a gap is open and it was not asked for within
     * {@code retryNanos}.
     */
    long[] toAsk(long now, long retryNanos) {
        if (!gapOpen()) return null;
        if (asked && delivered > deliveredWhenAsked) {
            // The answer is arriving: wait for the rest rather than ask again (which would send it all twice).
            deliveredWhenAsked = delivered;
            lastAsked = now;
            return null;
        }
        if (asked && now - lastAsked < retryNanos) return null;
        asked = true;
        lastAsked = now;
        deliveredWhenAsked = delivered;
        long last = pending.isEmpty() ? heard : pending.firstKey() - 1;
        return new long[] {delivered + 1, last};
    }

    /** Gives up on a gap open longer than {@code giveUpNanos}: delivers what waits behind it. */
    List<RoomWire.Event> expire(long now, long giveUpNanos) {
        if (!gapOpen() || now - gapSince < giveUpNanos) return List.of();
        return giveUp();
    }

    /** The sender is gone: delivers what waits behind its gaps. */
    List<RoomWire.Event> abandon() {
        return gapOpen() ? giveUp() : List.of();
    }

    private List<RoomWire.Event> giveUp() {
        long next = pending.isEmpty() ? heard : pending.firstKey() - 1;
        lost += next - delivered;
        delivered = next;
        asked = false;
        return drain();
    }

    private List<RoomWire.Event> drain() {
        List<RoomWire.Event> ready = new ArrayList<>();
        while (!pending.isEmpty() && pending.firstKey() == delivered + 1) {
            ready.add(pending.pollFirstEntry().getValue());
            delivered++;
        }
        if (!gapOpen()) asked = false;
        return ready;
    }

    long duplicates() {
        return duplicates;
    }

    long lost() {
        return lost;
    }
}
