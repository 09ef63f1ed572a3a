package dev.polyserve.services.chat;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The room for members connected to this process, on any engine: a concurrent map of names and a fan-out
 * loop that calls each member's non-blocking {@link Member#deliver}. A sender's events reach every member in
 * the order that sender published them, because each member's queue is FIFO and the sender delivers in turn.
 * Every answer is ready at once.
 */
public final class InProcessChatBus implements ChatBus {
    private final int maxMembers;
    private final LocalSeats seats = new LocalSeats();
    private final AtomicInteger count = new AtomicInteger();

    public InProcessChatBus(int maxMembers) {
        this.maxMembers = maxMembers;
    }

    @Override
    public CompletionStage<Join> join(String name, Member member) {
        if (count.incrementAndGet() > maxMembers) {
            count.decrementAndGet();
            return CompletableFuture.completedFuture(Join.ROOM_FULL);
        }
        if (!seats.claim(name, member)) {
            count.decrementAndGet();
            return CompletableFuture.completedFuture(Join.NAME_TAKEN);
        }
        return CompletableFuture.completedFuture(Join.JOINED);
    }

    @Override
    public CompletionStage<Boolean> rename(String from, String to, Member member) {
        return CompletableFuture.completedFuture(seats.move(from, to, member));
    }

    @Override
    public boolean leave(String name, Member member) {
        if (seats.release(name, member)) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public void broadcast(ChatEvent event, Member except) {
        for (LocalSeats.Seat slow : seats.deliverAll(new Delivery(event), except)) LocalSeats.dropSlow(this, slow);
    }

    @Override
    public String sendTo(String name, ChatEvent event) {
        LocalSeats.Seat seat = seats.get(name);
        if (seat == null) return null;
        if (!seat.member().deliver(new Delivery(event))) LocalSeats.dropSlow(this, seat);
        return seat.name();
    }

    @Override
    public List<String> names() {
        return seats.names().sorted(Comparator.comparing(Names::key)).toList();
    }

    @Override
    public int size() {
        return count.get();
    }
}
