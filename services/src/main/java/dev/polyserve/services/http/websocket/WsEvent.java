package dev.polyserve.services.http.websocket;

/** What {@link WsFrameDecoder#next} found in the bytes fed so far. */
sealed interface WsEvent {
    /** A whole text message (its fragments joined, UTF-8 checked). */
    record Text(String text) implements WsEvent {}

    /** A whole binary message (its fragments joined). */
    record Binary(byte[] data) implements WsEvent {}

    record Ping(byte[] payload) implements WsEvent {}

    record Pong(byte[] payload) implements WsEvent {}

    /** The peer's close frame: its code ({@link WsFrames#NO_STATUS} when it sent none) and reason. */
    record Close(int code, String reason) implements WsEvent {}

    /** The bytes fed so far end inside a frame (or a fragmented message): feed more. */
    enum NeedData implements WsEvent { INSTANCE }
}
