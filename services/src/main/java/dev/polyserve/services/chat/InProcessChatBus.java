package dev.polyserve.services.chat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room for members connected to this process, on any engine: a concurrent map of names and a fan-out
 * loop that calls each member's non-blocking {@link Member#deliver}. A sender's events reach every member in
 * the order that sender published them, because each member's queue is FIFO and the sender delivers in turn.
 */
public final class InProcessChatBus implements ChatBus {
    private static final Logger log = LoggerFactory.getLogger(InProcessChatBus.class);

    private record Seat(String name, Member member) {}

    private final int maxMembers;
    private final Map<String, Seat> seats = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    public InProcessChatBus(int maxMembers) {
        this.maxMembers = maxMembers;
    }

    @Override
    public Join join(String name, Member member) {
        if (count.incrementAndGet() > maxMembers) {
            count.decrementAndGet();
            return Join.ROOM_FULL;
        }
        if (seats.putIfAbsent(Names.key(name), new Seat(name, member)) != null) {
            count.decrementAndGet();
            return Join.NAME_TAKEN;
        }
        return Join.JOINED;
    }

    @Override
    public boolean rename(String from, String to, Member member) {
        String oldKey = Names.key(from);
        String newKey = Names.key(to);
        if (oldKey.equals(newKey)) {
            return seats.replace(oldKey, new Seat(from, member), new Seat(to, member));
        }
        Seat moved = new Seat(to, member);
        if (seats.putIfAbsent(newKey, moved) != null) return false;
        if (!seats.remove(oldKey, new Seat(from, member))) {
            // The member was dropped (too slow) meanwhile: do not leave its new name behind as a ghost.
            seats.remove(newKey, moved);
            return false;
        }
        return true;
    }

    @Override
    public boolean leave(String name, Member member) {
        if (seats.remove(Names.key(name), new Seat(name, member))) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public void broadcast(ChatEvent event, Member except) {
        Delivery delivery = new Delivery(event);
        List<Seat> slow = null;
        for (Seat seat : seats.values()) {
            if (seat.member() == except) continue;
            if (!seat.member().deliver(delivery)) {
                if (slow == null) slow = new ArrayList<>();
                slow.add(seat);
            }
        }
        if (slow != null) {
            for (Seat seat : slow) dropSlow(seat);
        }
    }

    private void dropSlow(Seat seat) {
        if (!leave(seat.name(), seat.member())) return;   // someone else dropped it first
        log.warn("chat: dropping {}: more unsent bytes than allowed (too slow)", seat.name());
        seat.member().drop();
        broadcast(new ChatEvent.Left(seat.name(), ChatEvent.Reason.TOO_SLOW), seat.member());
    }

    @Override
    public String sendTo(String name, ChatEvent event) {
        Seat seat = seats.get(Names.key(name));
        if (seat == null) return null;
        if (!seat.member().deliver(new Delivery(event))) dropSlow(seat);
        return seat.name();
    }

    @Override
    public List<String> names() {
        return seats.values().stream().map(Seat::name).sorted(Comparator.comparing(Names::key)).toList();
    }

    @Override
    public int size() {
        return count.get();
    }
}
