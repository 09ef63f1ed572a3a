package dev.polyserve.services.http.websocket;

/**
 * What a WebSocket route does with each new connection: register its listeners on the session, and keep it if it
 * wants to send later. Runs on the connection's thread or event loop right after the 101 response: it must not
 * block (hand blocking work to another thread; {@link WebSocketSession#send} is safe from any thread).
 *
 * <pre>{@code
 * app.websocket("/ws/echo", session -> {
 *     session.onText(session::send);
 *     session.onBinary(session::send);
 * });
 * }</pre>
 */
@FunctionalInterface
public interface WebSocketEndpoint {
    void open(WebSocketSession session) throws Exception;
}
