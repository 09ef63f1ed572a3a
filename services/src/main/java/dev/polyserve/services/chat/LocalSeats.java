package dev.polyserve.services.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members connected to this process, by name, and delivery to them: the part of a {@link ChatBus} that every
 * implementation has. Thread-safe; never blocks (each {@link Member#deliver} only queues).
 */
public final class LocalSeats {
    private static final Logger log = LoggerFactory.getLogger(LocalSeats.class);

    public record Seat(String name, Member member) {}

    private final Map<String, Seat> seats = new ConcurrentHashMap<>();

    /** Seats {@code member} as {@code name}; false if someone here holds it (any case). */
    public boolean claim(String name, Member member) {
        return seats.putIfAbsent(Names.key(name), new Seat(name, member)) == null;
    }

    /** Moves {@code member} from {@code from} to {@code to}; false if {@code to} is taken here or the member left meanwhile. */
    public boolean move(String from, String to, Member member) {
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

    /** Frees {@code name} if {@code member} still holds it; true if it did. */
    public boolean release(String name, Member member) {
        return seats.remove(Names.key(name), new Seat(name, member));
    }

    /** Who holds {@code name} here (any case), or null. */
    public Seat get(String name) {
        return seats.get(Names.key(name));
    }

    /** Delivers to every member here except {@code except}; returns the seats that could not take it (too slow). */
    public List<Seat> deliverAll(Delivery delivery, Member except) {
        List<Seat> slow = List.of();
        for (Seat seat : seats.values()) {
            if (seat.member() == except) continue;
            if (!seat.member().deliver(delivery)) {
                if (slow.isEmpty()) slow = new ArrayList<>();
                slow.add(seat);
            }
        }
        return slow;
    }

    /**
     * Ends a member that cannot keep up: it leaves {@code bus} and the others are told {@code left (too slow)}.
     * Does nothing if it had already left (another sender found it slow first).
     */
    public static void dropSlow(ChatBus bus, Seat seat) {
        if (!bus.leave(seat.name(), seat.member())) return;
        log.warn("chat: dropping {}: more unsent bytes than allowed (too slow)", seat.name());
        seat.member().drop();
        bus.broadcast(new ChatEvent.Left(seat.name(), ChatEvent.Reason.TOO_SLOW), seat.member());
    }

    public Stream<String> names() {
        return seats.values().stream().map(Seat::name);
    }

    public int size() {
        return seats.size();
    }
}
