package dev.polyserve.services.chat;

import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;
import dev.polyserve.core.SharedState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The group chat room as a polyserve service: runs on every model. Members on connections of this service
 * share one {@link ChatBus}; an {@link AdminConsole} and {@code /admin} (admin key holders) announce to all.
 *
 * <pre>{@code
 * ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
 * Server server = Server.tcp(7001).model("nio").service(chat).start();
 * }</pre>
 */
public final class ChatService implements Service {

    /** The name under which the HMAC gate registers the admin key; holders may use {@code /admin}. */
    public static final String ADMIN_KEY_NAME = "admin";

    /** Replaced once, before serving, when this process turns out to be a prefork worker. */
    private volatile ChatBus bus;
    /** Made in a prefork master: the room's registry and relay for all workers. Guarded by this. */
    private ChatHub hub;
    private final ChatLimits limits;
    private final ChatProtocol protocol;
    private final LongSupplier nanoClock;

    public ChatService(ChatLimits limits, ChatProtocol protocol) {
        this(new InProcessChatBus(limits.maxMembers()), limits, protocol, System::nanoTime);
    }

    public ChatService(ChatBus bus, ChatLimits limits, ChatProtocol protocol, LongSupplier nanoClock) {
        this.bus = Objects.requireNonNull(bus);
        this.limits = Objects.requireNonNull(limits);
        this.protocol = Objects.requireNonNull(protocol);
        this.nanoClock = Objects.requireNonNull(nanoClock);
    }

    @Override
    public Handler newHandler() {
        return new ChatHandler(this);
    }

    /** Told to a client refused because the server is at its connection limit. */
    @Override
    public byte[] refusal() {
        return protocol.encode(new ChatEvent.Notice(ChatEvent.Kind.ROOM_FULL, "The server is full; try again later."));
    }

    /**
     * Under {@code prefork} the room spans the workers: the master keeps a {@link ChatHub}, and each worker's members
     * join through a {@link RelayedChatBus} linked to it.
     */
    @Override
    public SharedState sharedState() {
        SharedState own = bus.sharedState();
        if (own != null) return own;   // the bus spans processes itself (Redis): every worker is a node of its own
        return new SharedState() {
            @Override
            public Hub openHub() {
                return hub();
            }

            @Override
            public Inbox attachWorker(Outbox toHub) {
                RelayedChatBus relay = new RelayedChatBus(toHub);
                bus = relay;
                return relay;
            }
        };
    }

    public ChatBus bus() {
        return bus;
    }

    private synchronized ChatHub hub() {
        if (hub == null) hub = new ChatHub(limits.maxMembers());
        return hub;
    }

    private synchronized ChatHub hubIfOpen() {
        return hub;
    }

    /**
     * Under {@code prefork}, in the master: a bus for members the master serves itself (the browser page's
     * listener), linked to the hub in this process as one more worker would be through its channel, so they share
     * the workers' room. Each direction is a queue with its own thread, as a channel is: the hub never calls into a
     * member while a member's call holds the hub.
     */
    public ChatBus masterMemberBus() {
        ChatHub h = hub();
        ExecutorService toHub = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("chat-master-members-to-hub").daemon().factory());
        ExecutorService fromHub = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("chat-hub-to-master-members").daemon().factory());
        SharedState.Inbox[] hubSide = new SharedState.Inbox[1];
        RelayedChatBus relay = new RelayedChatBus(m -> toHub.execute(() -> hubSide[0].receive(List.of(m))));
        SharedState.Inbox link = h.workerAttached(m -> fromHub.execute(() -> relay.receive(List.of(m))));
        hubSide[0] = link;
        return relay;
    }

    public ChatLimits limits() {
        return limits;
    }

    public ChatProtocol protocol() {
        return protocol;
    }

    LongSupplier nanoClock() {
        return nanoClock;
    }

    /** Sends {@code text} to every member as {@code [admin] text}. */
    public void announce(String text) {
        ChatHub h = hubIfOpen();
        if (h != null) h.announce(text);
        else bus.broadcast(new ChatEvent.Announcement(text), null);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
