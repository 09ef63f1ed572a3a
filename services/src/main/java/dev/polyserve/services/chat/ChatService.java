package dev.polyserve.services.chat;

import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;
import dev.polyserve.core.SharedState;
import java.nio.charset.StandardCharsets;
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
    /** Set in a prefork master: the room's registry and relay for all workers. */
    private volatile ChatHub hub;
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
                ChatHub h = new ChatHub(limits.maxMembers());
                hub = h;
                return h;
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
        ChatHub h = hub;
        if (h != null) h.announce(text);
        else bus.broadcast(new ChatEvent.Announcement(text), null);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
