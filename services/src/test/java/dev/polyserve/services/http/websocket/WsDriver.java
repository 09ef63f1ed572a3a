package dev.polyserve.services.http.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Feeds chunks to a decoder and writes down what came out, as comparable text; client frames for the tests. */
final class WsDriver {
    private WsDriver() {}

    static final byte[] MASK = {0x11, 0x22, 0x33, 0x44};

    /** Every event as text ("text:hi", "binary:00ff", "ping:", "close:1000:bye"), then "error:CODE" if it failed. */
    static List<String> run(WsFrameDecoder d, List<byte[]> chunks) {
        List<String> out = new ArrayList<>();
        try {
            for (byte[] c : chunks) {
                d.feed(ByteBuffer.wrap(c));
                for (WsEvent e = d.next(); e != WsEvent.NeedData.INSTANCE; e = d.next()) out.add(describe(e));
            }
        } catch (WsProtocolException e) {
            out.add("error:" + e.closeCode());
        }
        return out;
    }

    static List<String> run(List<byte[]> chunks) {
        return run(new WsFrameDecoder(WsLimits.DEFAULT_MAX_FRAME, WsLimits.DEFAULT_MAX_MESSAGE, null), chunks);
    }

    static String describe(WsEvent e) {
        HexFormat hex = HexFormat.of();
        return switch (e) {
            case WsEvent.Text t -> "text:" + t.text();
            case WsEvent.Binary b -> "binary:" + hex.formatHex(b.data());
            case WsEvent.Ping p -> "ping:" + hex.formatHex(p.payload());
            case WsEvent.Pong p -> "pong:" + hex.formatHex(p.payload());
            case WsEvent.Close c -> "close:" + c.code() + ":" + c.reason();
            case WsEvent.NeedData n -> "need";
        };
    }

    /** A masked client frame. */
    static byte[] frame(int opcode, boolean fin, byte[] payload) {
        return frame(opcode, fin, false, payload, MASK);
    }

    static byte[] frame(int opcode, boolean fin, boolean rsv1, byte[] payload, byte[] mask) {
        ByteBuffer b = WsFrames.encode(opcode, fin, rsv1, payload, 0, payload.length, mask);
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    static byte[] text(String s) {
        return frame(WsFrames.TEXT, true, s.getBytes(UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** {@code all} cut at the given offsets (taken modulo its length, sorted). */
    static List<byte[]> split(byte[] all, List<Integer> cuts) {
        List<Integer> at = new ArrayList<>();
        for (int c : cuts) at.add(all.length == 0 ? 0 : Math.floorMod(c, all.length + 1));
        at.sort(null);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int c : at) {
            out.add(java.util.Arrays.copyOfRange(all, from, c));
            from = c;
        }
        out.add(java.util.Arrays.copyOfRange(all, from, all.length));
        return out;
    }
}
