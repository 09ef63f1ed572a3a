package dev.polyserve.services.chat;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.polyserve.core.codec.ProtocolException;
import dev.polyserve.services.http.websocket.WebSocketSession;
import dev.polyserve.services.http.websocket.WsFrames;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * A browser member: one WebSocket connection and its {@link ChatSession}, the same session a TCP member has, so the
 * page gets the same names, notices, commands and flood control. Lines come in as text messages; events go out in
 * {@link ChatProtocol#WEB} form, encoded once per broadcast and shared by every browser member.
 */
final class ChatWebMember implements Member {
    private final WebSocketSession ws;
    private final ChatLimits limits;
    private final ChatReader reader;
    private final ChatSession session;
    /** The server is shutting down (serial context only). */
    private boolean stopping;

    private ChatWebMember(WebSocketSession ws, ChatBus bus, ChatLimits limits, LongSupplier nanoClock) {
        this.ws = ws;
        this.limits = limits;
        this.reader = ChatProtocol.WEB.reader(limits);
        // A session that ends because the server stops says "going away" (1001); any other end is a normal close.
        this.session = new ChatSession(bus, limits, this,
                () -> ws.close(stopping ? WsFrames.GOING_AWAY : WsFrames.NORMAL, ""), ws.executor(), nanoClock);
    }

    /** Runs on the connection's loop right after the 101: registers the listeners and greets the page. */
    static void open(WebSocketSession ws, ChatBus bus, ChatLimits limits, LongSupplier nanoClock) {
        ChatWebMember m = new ChatWebMember(ws, bus, limits, nanoClock);
        ws.onText(m::onLine);
        ws.onBinary(b -> m.session.onProtocolError("binary messages are not chat lines"));
        // However the socket ends (the page closed, the network went, a close we sent): leave the room.
        ws.onClose((code, reason) -> m.session.onClosed(ChatEvent.Reason.LEFT));
        // The server stops: the page hears why, and its leave is not announced to every other member (N x N).
        ws.onShutdown(() -> {
            m.stopping = true;
            m.session.onShutdown();
        });
        m.session.open();
    }

    /** Messages that arrived in one read are one batch for flood control, as a TCP member's lines are. */
    private boolean batchOpen;

    private void onLine(String text) {
        try {
            reader.read(ByteBuffer.wrap(text.getBytes(UTF_8)), session);
        } catch (ProtocolException e) {
            session.onProtocolError(e.getMessage());
            return;
        }
        if (!batchOpen) {
            batchOpen = true;
            // Runs after the read that delivered this message (and any after it) is done.
            ws.executor().execute(() -> {
                batchOpen = false;
                session.endOfBatch();
            });
        }
    }

    @Override
    public boolean deliver(Delivery delivery) {
        if (!ws.isOpen()) return true;   // leaving anyway; not "too slow"
        byte[] bytes = delivery.bytes(ChatProtocol.WEB);
        if (ws.queuedBytes() + bytes.length > limits.maxQueuedBytes()) return false;
        ws.sendText(bytes);
        return true;
    }

    @Override
    public void drop() {
        ws.abort();
    }
}
