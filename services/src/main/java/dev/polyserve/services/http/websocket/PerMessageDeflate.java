package dev.polyserve.services.http.websocket;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The permessage-deflate extension (RFC 7692) of one connection: the negotiation, and the compressor and
 * decompressor with their context-takeover rules. A message is compressed as raw DEFLATE, flushed with a sync
 * flush, and sent without the flush's trailing {@code 00 00 FF FF} (section 7.2.1); receiving puts it back.
 *
 * <p>Java's {@link Deflater} always uses a 32 KiB window, so an offer that limits the server's window
 * ({@code server_max_window_bits} below 15) is declined; a client's smaller window needs nothing from the
 * {@link Inflater}, which reads any window up to 32 KiB. The zlib streams are made on first use, so a connection
 * that never sends a large message pays no native memory for its compressor.
 */
final class PerMessageDeflate {
    static final String NAME = "permessage-deflate";
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    /** The output sink of {@link #inflate}: receives inflated bytes, may refuse them (a message too big). */
    interface Sink {
        void accept(byte[] b, int off, int n) throws WsProtocolException;
    }

    /** What was agreed: the parameters of the response, and whether each side resets its context per message. */
    record Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover, boolean serverMaxWindowBits) {
        /** The Sec-WebSocket-Extensions value of the 101 response. */
        String responseValue() {
            StringBuilder b = new StringBuilder(NAME);
            if (serverNoContextTakeover) b.append("; server_no_context_takeover");
            if (clientNoContextTakeover) b.append("; client_no_context_takeover");
            if (serverMaxWindowBits) b.append("; server_max_window_bits=15");
            return b.toString();
        }
    }

    private final Agreement agreement;
    private final int minSize;
    private Inflater inflater;
    private Deflater deflater;
    private final byte[] chunk = new byte[8192];

    PerMessageDeflate(Agreement agreement, int minSize) {
        this.agreement = agreement;
        this.minSize = minSize;
    }

    Agreement agreement() {
        return agreement;
    }

    /**
     * Picks the first offer in the Sec-WebSocket-Extensions values this server can keep (section 5.1), or null. An
     * offer with an unknown or repeated parameter, or a bad value, is declined, as section 7.1 requires.
     */
    static Agreement negotiate(List<String> headerValues) {
        for (String value : headerValues) {
            for (String offer : splitOutsideQuotes(value, ',')) {
                List<String> parts = splitOutsideQuotes(offer, ';');
                if (parts.isEmpty() || !parts.get(0).trim().equalsIgnoreCase(NAME)) continue;
                Agreement a = accept(parts.subList(1, parts.size()));
                if (a != null) return a;
            }
        }
        return null;
    }

    private static Agreement accept(List<String> params) {
        boolean serverNoTakeover = false;
        boolean clientNoTakeover = false;
        boolean serverBits = false;
        boolean clientBits = false;
        for (String raw : params) {
            String p = raw.trim();
            if (p.isEmpty()) return null;
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? null : unquote(p.substring(eq + 1).trim());
            switch (name) {
                case "server_no_context_takeover" -> {
                    if (v != null || serverNoTakeover) return null;
                    serverNoTakeover = true;
                }
                case "client_no_context_takeover" -> {
                    if (v != null || clientNoTakeover) return null;
                    clientNoTakeover = true;
                }
                case "server_max_window_bits" -> {
                    // Section 7.1.2.1: a value 8..15. Our deflater's window is 15 bits; a smaller bound we cannot keep.
                    if (serverBits || windowBits(v) != 15) return null;
                    serverBits = true;
                }
                case "client_max_window_bits" -> {
                    // Section 7.1.2.2: the client may limit its own window; our inflater reads any. No value needed.
                    if (clientBits || (v != null && windowBits(v) < 0)) return null;
                    clientBits = true;
                }
                default -> {
                    return null;
                }
            }
        }
        return new Agreement(serverNoTakeover, clientNoTakeover, serverBits);
    }

    private static int windowBits(String v) {
        if (v == null || v.isEmpty() || v.length() > 2) return -1;
        for (int i = 0; i < v.length(); i++) if (v.charAt(i) < '0' || v.charAt(i) > '9') return -1;
        int n = Integer.parseInt(v);
        return n >= 8 && n <= 15 ? n : -1;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == sep && !quoted) {
                out.add(s.substring(from, i));
                from = i + 1;
            }
        }
        out.add(s.substring(from));
        return out;
    }

    /** Inflates one frame's payload of a compressed message into {@code sink}; {@code fin} ends the message. */
    void inflate(byte[] b, int off, int len, boolean fin, Sink sink) throws WsProtocolException {
        if (inflater == null) inflater = new Inflater(true);
        inflater.setInput(b, off, len);
        drain(sink);
        if (fin) {
            inflater.setInput(TAIL);
            drain(sink);
            // The client resets its compressor after each message: nothing later refers back, so free the window.
            if (agreement.clientNoContextTakeover()) inflater.reset();
        }
    }

    private void drain(Sink sink) throws WsProtocolException {
        try {
            while (true) {
                int n = inflater.inflate(chunk);
                if (n > 0) {
                    sink.accept(chunk, 0, n);
                    continue;
                }
                // Nothing more from this input (zlib needs input, or the stream ended). A final DEFLATE block is
                // legal, and the message after it starts a fresh stream.
                if (inflater.finished()) inflater.reset();
                return;
            }
        } catch (DataFormatException e) {
            throw new WsProtocolException(WsFrames.INVALID_DATA, "compressed message is not valid DEFLATE data");
        }
    }

    /** Whether a message of {@code n} bytes is worth compressing (tiny ones grow, and cost CPU for nothing). */
    boolean worthCompressing(int n) {
        return n >= minSize;
    }

    /** The compressed payload of a whole message, without the sync flush's tail. Serialised by the caller. */
    byte[] deflate(byte[] msg, int off, int len) {
        if (deflater == null) deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(msg, off, len);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, len / 2));
        byte[] c = new byte[Math.max(64, Math.min(len + 64, 64 * 1024))];
        while (true) {
            int n = deflater.deflate(c, 0, c.length, Deflater.SYNC_FLUSH);
            out.write(c, 0, n);
            if (n < c.length && deflater.needsInput()) break;
        }
        if (agreement.serverNoContextTakeover()) deflater.reset();
        byte[] all = out.toByteArray();
        // The sync flush always ends with an empty stored block, 00 00 FF FF.
        return java.util.Arrays.copyOf(all, all.length - TAIL.length);
    }

    /** Frees the native zlib memory. Called once, when the connection ends. */
    void end() {
        if (inflater != null) inflater.end();
        if (deflater != null) deflater.end();
    }
}
