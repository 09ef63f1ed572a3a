package dev.polyserve.services.chat;

import dev.polyserve.core.SharedState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's master half under {@code prefork}: the one registry of names across workers, and the relay between
 * them. A worker's {@link RelayedChatBus} claims names here and sends its events here; the hub forwards each event
 * to the other workers in the order it arrived (one lock, so one order for everyone, and each sender's events in
 * its own order), and tells every worker which names the others hold. A worker that dies takes its members with
 * it: the other workers are told they left. The master's console announces through {@link #announce}.
 */
public final class ChatHub implements SharedState.Hub {
    private static final Logger log = LoggerFactory.getLogger(ChatHub.class);

    private record Holder(String name, Link link) {}

    private final int maxMembers;
    private final Map<String, Holder> holders = new HashMap<>();   // by Names.key; guarded by this
    private final Set<Link> links = new LinkedHashSet<>();           // guarded by this

    public ChatHub(int maxMembers) {
        this.maxMembers = maxMembers;
    }

    @Override
    public synchronized SharedState.Inbox workerAttached(SharedState.Outbox toWorker) {
        Link link = new Link(toWorker);
        for (Holder h : holders.values()) toWorker.send(HubMessage.encode(new HubMessage.Present(h.name())));
        links.add(link);
        return link;
    }

    /** Sends {@code text} to every member on every worker as {@code [admin] text}. */
    public synchronized void announce(String text) {
        byte[] m = HubMessage.encode(new HubMessage.Relay(new ChatEvent.Announcement(text)));
        for (Link l : links) l.out.send(m);
    }

    /** Members in the room, on all workers. */
    public synchronized int size() {
        return holders.size();
    }

    /** One worker's link. */
    private final class Link implements SharedState.Inbox {
        final SharedState.Outbox out;

        Link(SharedState.Outbox out) {
            this.out = out;
        }

        @Override
        public void receive(List<byte[]> messages) {
            synchronized (ChatHub.this) {
                for (byte[] message : messages) {
                    try {
                        handle(this, message);
                    } catch (IllegalArgumentException e) {
                        log.warn("chat hub: ignoring a malformed message from a worker: {}", e.getMessage());
                    }
                }
            }
        }

        @Override
        public void closed() {
            synchronized (ChatHub.this) {
                workerGone(this);
            }
        }
    }

    private void handle(Link from, byte[] bytes) {
        if (HubMessage.kind(bytes) == HubMessage.RELAY) {
            // The hot path: forward the bytes as they are; the workers decode them.
            for (Link l : links) if (l != from) l.out.send(bytes);
            return;
        }
        switch (HubMessage.decode(bytes)) {
            case HubMessage.Join(long id, String name) -> reply(from, id, claim(from, name).ordinal());
            case HubMessage.Rename(long id, String old, String to) -> reply(from, id, move(from, old, to) ? 1 : 0);
            case HubMessage.Leave(String name) -> release(from, name);
            case HubMessage.Direct d -> {
                Holder h = holders.get(Names.key(d.name()));
                if (h != null) h.link().out.send(bytes);   // else: gone meanwhile, like a line to someone who just left
            }
            case HubMessage other -> log.warn("chat hub: a worker sent {}, which only the hub sends; ignored",
                    other.getClass().getSimpleName());
        }
    }

    private ChatBus.Join claim(Link from, String name) {
        if (holders.size() >= maxMembers) return ChatBus.Join.ROOM_FULL;
        if (holders.putIfAbsent(Names.key(name), new Holder(name, from)) != null) return ChatBus.Join.NAME_TAKEN;
        tellOthers(from, new HubMessage.Present(name));
        return ChatBus.Join.JOINED;
    }

    private boolean move(Link from, String old, String to) {
        String oldKey = Names.key(old);
        String newKey = Names.key(to);
        Holder holder = holders.get(oldKey);
        if (holder == null || holder.link() != from) return false;   // not theirs (left meanwhile)
        if (!oldKey.equals(newKey) && holders.containsKey(newKey)) return false;
        holders.remove(oldKey);
        holders.put(newKey, new Holder(to, from));
        tellOthers(from, new HubMessage.Absent(holder.name()));
        tellOthers(from, new HubMessage.Present(to));
        return true;
    }

    private void release(Link from, String name) {
        Holder holder = holders.get(Names.key(name));
        if (holder == null || holder.link() != from) return;
        holders.remove(Names.key(name));
        tellOthers(from, new HubMessage.Absent(holder.name()));
    }

    private void workerGone(Link gone) {
        if (!links.remove(gone)) return;
        List<String> stranded = new ArrayList<>();
        holders.values().removeIf(h -> h.link() == gone && stranded.add(h.name()));
        if (stranded.isEmpty()) return;
        log.warn("chat hub: a worker ended with {} members still in the room; telling the others they left", stranded.size());
        for (String name : stranded) {
            tellOthers(gone, new HubMessage.Absent(name));
            tellOthers(gone, new HubMessage.Relay(new ChatEvent.Left(name, ChatEvent.Reason.LEFT)));
        }
    }

    private void reply(Link to, long id, int answer) {
        to.out.send(HubMessage.encode(new HubMessage.Reply(id, answer)));
    }

    private void tellOthers(Link except, HubMessage m) {
        byte[] bytes = HubMessage.encode(m);
        for (Link l : links) if (l != except) l.out.send(bytes);
    }
}
