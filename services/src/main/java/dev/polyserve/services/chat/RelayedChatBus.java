package dev.polyserve.services.chat;

import dev.polyserve.core.SharedState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room as one prefork worker sees it: its own members in {@link LocalSeats}, the names held on other workers as
 * the master's {@link ChatHub} last told, and a link to the hub. Names are claimed at the hub (so they stay unique
 * across workers); an event is delivered here first, then sent to the hub, which relays it to the other workers
 * in arrival order, so each sender's events keep their order everywhere. A slow member is noticed and dropped
 * here, where its queue is, and its leave goes through the hub like any other.
 */
public final class RelayedChatBus implements ChatBus, SharedState.Inbox {
    private static final Logger log = LoggerFactory.getLogger(RelayedChatBus.class);

    private final SharedState.Outbox hub;
    private final LocalSeats seats = new LocalSeats();
    /** Names held on other workers, by {@link Names#key}. */
    private final Map<String, String> elsewhere = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Integer>> pending = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private volatile boolean hubLost;

    public RelayedChatBus(SharedState.Outbox hub) {
        this.hub = hub;
    }

    @Override
    public CompletionStage<Join> join(String name, Member member) {
        return ask(id -> new HubMessage.Join(id, name)).thenApply(answer -> {
            Join join = Join.values()[answer];
            if (join == Join.JOINED && !seats.claim(name, member)) {
                // The hub gave us a name still seated here: a bug, but never seat two members under one name.
                log.error("chat: the hub granted {}, which a member here still holds; refusing it", name);
                send(new HubMessage.Leave(name));
                return Join.NAME_TAKEN;
            }
            return join;
        });
    }

    @Override
    public CompletionStage<Boolean> rename(String from, String to, Member member) {
        return ask(id -> new HubMessage.Rename(id, from, to)).thenApply(answer -> {
            if (answer == 0) return false;
            if (!seats.move(from, to, member)) {
                send(new HubMessage.Leave(to));   // dropped meanwhile: give the new name back as well
                return false;
            }
            return true;
        });
    }

    @Override
    public boolean leave(String name, Member member) {
        if (!seats.release(name, member)) return false;
        send(new HubMessage.Leave(name));
        return true;
    }

    /**
     * This worker is stopping, perhaps alone (a rolling restart, a scale-down): its members are all being told so,
     * but the members on the other workers stay and must hear that these left, as when one leaves by hand.
     */
    @Override
    public void leaveAtShutdown(String name, Member member) {
        if (leave(name, member)) send(new HubMessage.Relay(new ChatEvent.Left(name, ChatEvent.Reason.LEFT)));
    }

    @Override
    public void broadcast(ChatEvent event, Member except) {
        deliverHere(event, except);
        send(new HubMessage.Relay(event));
    }

    @Override
    public String sendTo(String name, ChatEvent event) {
        LocalSeats.Seat seat = seats.get(name);
        if (seat != null) {
            if (!seat.member().deliver(new Delivery(event))) LocalSeats.dropSlow(this, seat);
            return seat.name();
        }
        String exact = elsewhere.get(Names.key(name));
        if (exact != null) send(new HubMessage.Direct(exact, event));
        return exact;
    }

    @Override
    public List<String> names() {
        return Stream.concat(seats.names(), elsewhere.values().stream()).sorted(Comparator.comparing(Names::key)).toList();
    }

    @Override
    public int size() {
        return seats.size() + elsewhere.size();
    }

    // ---- from the hub (one thread, in order) ----

    /**
     * A batch from the hub. Runs of relayed events are delivered as one {@link Delivery}: each member gets one
     * write for the run, not one per event (which is what keeps a prefork room's system calls near a single
     * process's). A run is cut before anything that must happen between events: a private line, a name answer.
     */
    @Override
    public void receive(List<byte[]> messages) {
        List<ChatEvent> run = new ArrayList<>();
        for (byte[] bytes : messages) {
            HubMessage m;
            try {
                m = HubMessage.decode(bytes);
            } catch (IllegalArgumentException e) {
                log.warn("chat: ignoring a malformed message from the hub: {}", e.getMessage());
                continue;
            }
            if (m instanceof HubMessage.Relay(ChatEvent event)) {
                run.add(event);
                continue;
            }
            deliverRun(run);
            switch (m) {
                case HubMessage.Reply(long id, int answer) -> {
                    CompletableFuture<Integer> waiter = pending.remove(id);
                    if (waiter != null) waiter.complete(answer);
                }
                case HubMessage.Direct(String name, ChatEvent event) -> {
                    LocalSeats.Seat seat = seats.get(name);
                    if (seat != null && !seat.member().deliver(new Delivery(event))) LocalSeats.dropSlow(this, seat);
                }
                case HubMessage.Present(String name) -> elsewhere.put(Names.key(name), name);
                case HubMessage.Absent(String name) -> elsewhere.remove(Names.key(name), name);
                default -> log.warn("chat: the hub sent {}, which only workers send; ignored", m.getClass().getSimpleName());
            }
        }
        deliverRun(run);
    }

    private void deliverRun(List<ChatEvent> run) {
        if (run.isEmpty()) return;
        Delivery delivery = new Delivery(run);
        run.clear();
        for (LocalSeats.Seat slow : seats.deliverAll(delivery, null)) LocalSeats.dropSlow(this, slow);
    }

    /** The master is gone: nothing can be claimed any more (the worker is draining). */
    @Override
    public void closed() {
        hubLost = true;
        IOException gone = hubGone();
        for (Long id : pending.keySet()) {
            CompletableFuture<Integer> waiter = pending.remove(id);
            if (waiter != null) waiter.completeExceptionally(gone);   // else ask() failed it itself
        }
    }

    private void deliverHere(ChatEvent event, Member except) {
        for (LocalSeats.Seat slow : seats.deliverAll(new Delivery(event), except)) LocalSeats.dropSlow(this, slow);
    }

    private CompletableFuture<Integer> ask(LongFunction<HubMessage> request) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        long id = requestIds.incrementAndGet();
        pending.put(id, answer);
        if (hubLost && pending.remove(id) != null) {
            answer.completeExceptionally(hubGone());
            return answer;
        }
        send(request.apply(id));
        return answer;
    }

    private static IOException hubGone() {
        return new IOException("the chat hub in the prefork master is gone");
    }

    private void send(HubMessage m) {
        hub.send(HubMessage.encode(m));
    }
}
