package dev.polyserve.services.http.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A sans-I/O decoder of client frames, in the style of the HTTP request parser: {@link #feed} bytes in, call
 * {@link #next} for events until it says {@link WsEvent.NeedData}. It joins fragmented messages, lets control frames
 * interleave with their fragments (section 5.4), inflates compressed messages (RFC 7692), and keeps every rule RFC
 * 6455 sets for what a server receives; a broken rule is a {@link WsProtocolException} carrying the close code, and
 * the decoder stays failed after it.
 *
 * <p>A frame is buffered whole (at most {@code maxFrame} bytes of payload) before it is unmasked and judged; a text
 * message's UTF-8 is checked frame by frame, so a bad byte fails the connection when its frame arrives, not when the
 * message ends.
 */
final class WsFrameDecoder {
    private static final int INITIAL_BUFFER = 4096;
    private static final byte[] NO_BYTES = new byte[0];

    private final int maxFrame;
    private final int maxMessage;
    /** The negotiated permessage-deflate, or null. */
    private final PerMessageDeflate deflate;

    private byte[] buf = new byte[INITIAL_BUFFER];
    private int start;
    private int end;
    private WsProtocolException failure;
    private boolean closed;

    /** The data message in progress: its opcode (-1 when none), whether it is compressed, its bytes so far. */
    private int messageOpcode = -1;
    private boolean compressed;
    private byte[] message = NO_BYTES;
    private int messageLength;
    private final Utf8Validator utf8 = new Utf8Validator();

    WsFrameDecoder(int maxFrame, int maxMessage, PerMessageDeflate deflate) {
        this.maxFrame = maxFrame;
        this.maxMessage = maxMessage;
        this.deflate = deflate;
    }

    /** Appends {@code in}'s remaining bytes (copied). Bytes after the peer's close frame are dropped. */
    void feed(ByteBuffer in) {
        int n = in.remaining();
        if (closed || failure != null) {
            in.position(in.limit());
            return;
        }
        if (n == 0) return;
        if (start == end) {
            start = 0;
            end = 0;
        }
        if (buf.length - end < n) {
            int live = end - start;
            byte[] target = live + n <= buf.length ? buf : new byte[Math.max(buf.length * 2, live + n)];
            System.arraycopy(buf, start, target, 0, live);
            buf = target;
            start = 0;
            end = live;
        }
        in.get(buf, end, n);
        end += n;
    }

    /** Bytes fed but not yet decoded. */
    int buffered() {
        return end - start;
    }

    /** True between messages with nothing buffered. */
    boolean idle() {
        return start == end && messageOpcode < 0;
    }

    WsEvent next() throws WsProtocolException {
        if (failure != null) throw failure;
        try {
            while (true) {
                WsEvent e = frame();
                if (e != null) return e;
            }
        } catch (WsProtocolException e) {
            failure = e;
            message = NO_BYTES;
            throw e;
        }
    }

    /** Decodes one frame: an event, null for a fragment that completed no message, or NeedData. */
    private WsEvent frame() throws WsProtocolException {
        if (closed) return WsEvent.NeedData.INSTANCE;
        int avail = end - start;
        if (avail < 2) return WsEvent.NeedData.INSTANCE;
        int b0 = buf[start] & 0xff;
        int b1 = buf[start + 1] & 0xff;
        boolean fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        int opcode = b0 & 0x0f;
        boolean masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7f;
        // Judge what the first two bytes say before waiting for the rest of the frame.
        if ((b0 & 0x30) != 0) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "reserved bits RSV2/RSV3 set");
        boolean control = WsFrames.isControl(opcode);
        if (control) {
            if (opcode > WsFrames.PONG) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "reserved opcode " + opcode);
            if (!fin) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "fragmented control frame");
            if (len7 > WsLimits.MAX_CONTROL_PAYLOAD) {
                throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "control frame longer than 125 bytes");
            }
            if (rsv1) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "RSV1 set on a control frame");
        } else {
            if (opcode > WsFrames.BINARY) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "reserved opcode " + opcode);
            if (opcode == WsFrames.CONTINUATION) {
                if (messageOpcode < 0) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "continuation without a message");
                if (rsv1) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "RSV1 set on a continuation frame");
            } else {
                if (messageOpcode >= 0) {
                    throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "new message before the previous one ended");
                }
                if (rsv1 && deflate == null) {
                    throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "RSV1 set without a negotiated extension");
                }
            }
        }
        // Section 5.1: "a server MUST close the connection upon receiving a frame that is not masked".
        if (!masked) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "unmasked client frame");
        int lengthBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        int head = 2 + lengthBytes + 4;
        if (avail < head) return WsEvent.NeedData.INSTANCE;
        long length = len7;
        if (len7 == 126) {
            length = ((buf[start + 2] & 0xffL) << 8) | (buf[start + 3] & 0xffL);
        } else if (len7 == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) length = (length << 8) | (buf[start + 2 + i] & 0xffL);
            if (length < 0) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "frame length with the top bit set");
        }
        if (length > maxFrame) {
            throw new WsProtocolException(WsFrames.TOO_BIG, "frame of " + length + " bytes (limit " + maxFrame + ")");
        }
        if (!control && !compressedMessage(opcode, rsv1) && (long) messageLength + length > maxMessage) {
            throw tooBig((long) messageLength + length);
        }
        int n = (int) length;
        if (avail - head < n) return WsEvent.NeedData.INSTANCE;
        int keyAt = start + head - 4;
        int payload = start + head;
        byte[] key = {buf[keyAt], buf[keyAt + 1], buf[keyAt + 2], buf[keyAt + 3]};
        WsFrames.unmask(buf, payload, n, key, 0);
        start = payload + n;
        if (control) return controlFrame(opcode, payload, n);
        if (opcode != WsFrames.CONTINUATION) {
            messageOpcode = opcode;
            compressed = rsv1;
            utf8.reset();
        }
        int from = messageLength;
        if (compressed) {
            deflate.inflate(buf, payload, n, fin, this::append);
        } else {
            append(buf, payload, n);
        }
        if (messageOpcode == WsFrames.TEXT && !utf8.feed(message, from, messageLength - from)) {
            throw new WsProtocolException(WsFrames.INVALID_DATA, "text message is not valid UTF-8");
        }
        if (!fin) return null;
        return endMessage();
    }

    private boolean compressedMessage(int opcode, boolean rsv1) {
        return opcode == WsFrames.CONTINUATION ? compressed : rsv1;
    }

    private WsEvent endMessage() throws WsProtocolException {
        WsEvent e;
        if (messageOpcode == WsFrames.TEXT) {
            if (!utf8.complete()) throw new WsProtocolException(WsFrames.INVALID_DATA, "text message ends inside a UTF-8 sequence");
            e = new WsEvent.Text(new String(message, 0, messageLength, UTF_8));
        } else {
            e = new WsEvent.Binary(messageLength == message.length ? message : Arrays.copyOf(message, messageLength));
        }
        messageOpcode = -1;
        compressed = false;
        messageLength = 0;
        // A message near the limit should not pin its buffer for the rest of the connection.
        message = NO_BYTES;
        return e;
    }

    private WsEvent controlFrame(int opcode, int at, int n) throws WsProtocolException {
        byte[] p = n == 0 ? NO_BYTES : Arrays.copyOfRange(buf, at, at + n);
        return switch (opcode) {
            case WsFrames.PING -> new WsEvent.Ping(p);
            case WsFrames.PONG -> new WsEvent.Pong(p);
            default -> {
                closed = true;
                yield close(p);
            }
        };
    }

    /** Section 5.5.1: an optional 2-byte code, then an optional UTF-8 reason. */
    private static WsEvent.Close close(byte[] p) throws WsProtocolException {
        if (p.length == 0) return new WsEvent.Close(WsFrames.NO_STATUS, "");
        if (p.length == 1) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "close frame with a 1-byte payload");
        int code = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
        if (!WsFrames.isValidCloseCode(code)) throw new WsProtocolException(WsFrames.PROTOCOL_ERROR, "close code " + code);
        Utf8Validator v = new Utf8Validator();
        if (!v.feed(p, 2, p.length - 2) || !v.complete()) {
            throw new WsProtocolException(WsFrames.INVALID_DATA, "close reason is not valid UTF-8");
        }
        return new WsEvent.Close(code, new String(p, 2, p.length - 2, UTF_8));
    }

    /** Adds to the message in progress (also the inflater's output), failing as soon as it passes the limit. */
    private void append(byte[] b, int off, int n) throws WsProtocolException {
        if ((long) messageLength + n > maxMessage) throw tooBig((long) messageLength + n);
        if (messageLength + n > message.length) {
            message = Arrays.copyOf(message, Math.min(maxMessage, Math.max(messageLength + n, message.length * 2)));
        }
        System.arraycopy(b, off, message, messageLength, n);
        messageLength += n;
    }

    private WsProtocolException tooBig(long size) {
        return new WsProtocolException(WsFrames.TOO_BIG, "message of at least " + size + " bytes (limit " + maxMessage + ")");
    }
}
