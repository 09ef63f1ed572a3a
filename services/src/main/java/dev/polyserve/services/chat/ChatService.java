package dev.polyserve.services.chat;

import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;
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

    private final ChatBus bus;
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
        bus.broadcast(new ChatEvent.Announcement(text), null);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
