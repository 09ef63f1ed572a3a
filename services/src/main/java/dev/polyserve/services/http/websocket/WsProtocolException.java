package dev.polyserve.services.http.websocket;

/** The peer broke RFC 6455 (or a limit): fail the connection with {@link #closeCode()} (section 7.1.7). */
final class WsProtocolException extends Exception {
    private final int closeCode;

    WsProtocolException(int closeCode, String message) {
        super(message, null, false, false);
        this.closeCode = closeCode;
    }

    int closeCode() {
        return closeCode;
    }
}
