package dev.polyserve.services.chat;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.LogLimiter;
import dev.polyserve.core.WriteQueueFullException;
import dev.polyserve.core.auth.Authenticated;
import dev.polyserve.core.codec.ProtocolException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The glue between one connection and its {@link ChatSession}: decode, deliver, close. */
final class ChatHandler implements Handler, Authenticated, Member {
    private static final Logger log = LoggerFactory.getLogger(ChatHandler.class);
    /** Unfinished-line drops: a few lines per address a minute, so a trickling flood cannot fill the log. */
    private static final LogLimiter unfinished = new LogLimiter(log, Duration.ofMinutes(1), 3);

    private final ChatService service;
    private final ChatReader reader;
    private volatile Conn conn;
    private ChatSession session;
    private boolean admin;
    /** Armed while the reader holds an unfinished message; {@link #messagesWhenArmed} tells which one. */
    private ScheduledFuture<?> unfinishedDeadline;
    private long messagesWhenArmed;

    ChatHandler(ChatService service) {
        this.service = service;
        this.reader = service.protocol().reader(service.limits());
    }

    @Override
    public void authenticated(String keyName) {
        admin = ChatService.ADMIN_KEY_NAME.equals(keyName);
    }

    @Override
    public void onOpen(Conn c) {
        conn = c;
        session = new ChatSession(service.bus(), service.limits(), this, c::close, c.executor(), service.nanoClock());
        if (admin) session.grantAdmin();
        session.open();
    }

    @Override
    public void onRead(Conn c, ByteBuffer in) {
        if (!c.isOpen()) {
            in.position(in.limit());
            return;
        }
        try {
            reader.read(in, session);
            watchUnfinished(c);
        } catch (ProtocolException e) {
            log.warn("{}: chat protocol error: {}; closing", c.remote(), e.getMessage());
            in.position(in.limit());
            session.onProtocolError(e.getMessage());
        }
    }

    /** Starts the unfinished-line clock when a message is left unfinished, stops it when none is. */
    private void watchUnfinished(Conn c) {
        Duration timeout = service.limits().lineTimeout();
        if (!reader.midMessage() || timeout.isZero()) {
            cancelUnfinishedDeadline();
        } else if (unfinishedDeadline == null || reader.messages() != messagesWhenArmed) {
            cancelUnfinishedDeadline(); // a message was finished since: the clock is the new one's
            messagesWhenArmed = reader.messages();
            unfinishedDeadline = c.schedule(timeout, () -> unfinishedTooLong(c));
        }
    }

    private void cancelUnfinishedDeadline() {
        if (unfinishedDeadline != null) {
            unfinishedDeadline.cancel(false);
            unfinishedDeadline = null;
        }
    }

    private void unfinishedTooLong(Conn c) {
        unfinishedDeadline = null;
        if (!c.isOpen() || !reader.midMessage() || reader.messages() != messagesWhenArmed) return;
        Duration timeout = service.limits().lineTimeout();
        unfinished.warn(c.remote() instanceof InetSocketAddress a ? a.getAddress() : c.remote(),
                "{}: chat: closing a connection whose line stayed unfinished for {} ms", c.remote(), timeout.toMillis());
        session.onUnfinishedLine(timeout);
    }

    @Override
    public void onReadEnd(Conn c) {
        session.onClosed(ChatEvent.Reason.LEFT);
        c.close();
    }

    @Override
    public void onIdle(Conn c) {
        if (!session.named()) log.info("{}: chat: closing a connection that picked no name before the idle timeout", c.remote());
        session.onIdle();
    }

    @Override
    public void onShutdown(Conn c) {
        session.onShutdown();
    }

    @Override
    public void onClose(Conn c, Throwable cause) {
        if (cause != null) log.debug("{}: chat connection failed: {}", c.remote(), cause.toString());
        // The engine's own write queue limit (if set below the room's) ends a slow reader the same way.
        ChatEvent.Reason reason = cause instanceof WriteQueueFullException ? ChatEvent.Reason.TOO_SLOW : ChatEvent.Reason.LEFT;
        if (session != null) session.onClosed(reason);
    }

    @Override
    public boolean deliver(Delivery delivery) {
        Conn c = conn;
        if (c == null || !c.isOpen()) return true;   // leaving anyway; not "too slow"
        byte[] bytes = delivery.bytes(service.protocol());
        if (c.queuedBytes() + bytes.length > service.limits().maxQueuedBytes()) return false;
        c.write(ByteBuffer.wrap(bytes));
        return true;
    }

    @Override
    public void drop() {
        Conn c = conn;
        if (c != null) c.abort();
    }
}
