package dev.polyserve.services.http.websocket;

import java.nio.ByteBuffer;

/**
 * RFC 6455 section 5.2 framing: opcodes, close codes, and the encoder. A server sends unmasked frames; the mask
 * parameter exists for clients (the tests and the load generator speak the client side with it).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * </pre>
 */
public final class WsFrames {
    private WsFrames() {}

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** Close codes of RFC 6455 section 7.4.1 that this server sends. */
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    /** Reported to the application when the close frame had no code; never sent (section 7.4.1). */
    public static final int NO_STATUS = 1005;
    /** Reported to the application when the connection dropped without a close frame; never sent. */
    public static final int ABNORMAL = 1006;
    public static final int INVALID_DATA = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;

    static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    /**
     * Whether a peer may send {@code code} in a close frame: the codes of section 7.4.1 meant for the wire
     * (1000-1003, 1007-1011), those IANA registered since (1012-1014), and the ranges for libraries and
     * applications (3000-4999). 1004-1006 and 1015 are reserved for reporting and never sent.
     */
    static boolean isValidCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** Bytes of the frame head for a payload of {@code n} bytes. */
    static int headLength(long n, boolean masked) {
        return (n < 126 ? 2 : n <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
    }

    /**
     * One frame, ready to write (position 0, limit at its end).
     *
     * @param rsv1 the per-message compressed bit (RFC 7692), on the first frame of a compressed message
     * @param mask the 4-byte masking key of a client frame, or null for a server frame
     */
    public static ByteBuffer encode(int opcode, boolean fin, boolean rsv1, byte[] payload, int off, int len, byte[] mask) {
        ByteBuffer b = ByteBuffer.allocate(headLength(len, mask != null) + len);
        b.put((byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode));
        int maskBit = mask != null ? 0x80 : 0;
        if (len < 126) {
            b.put((byte) (maskBit | len));
        } else if (len <= 0xFFFF) {
            b.put((byte) (maskBit | 126)).putShort((short) len);
        } else {
            b.put((byte) (maskBit | 127)).putLong(len);
        }
        if (mask == null) {
            b.put(payload, off, len);
        } else {
            b.put(mask);
            for (int i = 0; i < len; i++) b.put((byte) (payload[off + i] ^ mask[i & 3]));
        }
        return b.flip();
    }

    /** An unfragmented server frame. */
    public static ByteBuffer encode(int opcode, byte[] payload) {
        return encode(opcode, true, false, payload, 0, payload.length, null);
    }

    /** The payload of a close frame: the code, then the reason in UTF-8 (cut to fit a control frame). */
    static byte[] closePayload(int code, String reason) {
        byte[] r = reason == null ? new byte[0] : reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int len = Math.min(r.length, MAX_CLOSE_REASON);
        // Cut on a character boundary, so the reason stays valid UTF-8.
        while (len < r.length && len > 0 && (r[len] & 0xC0) == 0x80) len--;
        byte[] p = new byte[2 + len];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, len);
        return p;
    }

    /** A close reason fits a control frame after its 2-byte code. */
    static final int MAX_CLOSE_REASON = WsLimits.MAX_CONTROL_PAYLOAD - 2;

    /** XORs {@code b[off..off+len)} with the masking key, starting at key byte {@code keyIndex & 3}. */
    static void unmask(byte[] b, int off, int len, byte[] key, int keyIndex) {
        for (int i = 0; i < len; i++) b[off + i] ^= key[(keyIndex + i) & 3];
    }
}
