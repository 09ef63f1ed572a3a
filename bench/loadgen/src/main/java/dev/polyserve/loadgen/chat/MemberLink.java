package dev.polyserve.loadgen.chat;

import dev.polyserve.core.auth.HmacClient;
import dev.polyserve.core.auth.HmacKey;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a load member talks to the room: text lines over TCP, or the browser page's WebSocket, whose JSON events are
 * read back as the text lines a terminal member sees ({@code * Hello NAME!}, {@code * NAME joined},
 * {@code FROM: TEXT}), so one load drives both.
 */
interface MemberLink extends Closeable {
    /** The next line the room sent, or null at the end of the stream. Reader thread only. */
    String readLine() throws IOException;

    /** Sends one line (no terminator). Sender thread; the join happens before the reader starts. */
    void writeLine(String line) throws IOException;

    static MemberLink tcp(InetSocketAddress server, HmacKey key) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(server, 10_000);
        if (key != null) HmacClient.answer(socket, key);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 64 << 10);
        OutputStream out = socket.getOutputStream();
        return new MemberLink() {
            @Override public String readLine() throws IOException { return in.readLine(); }
            @Override public void writeLine(String line) throws IOException { out.write((line + "\n").getBytes(StandardCharsets.UTF_8)); }
            @Override public void close() throws IOException { socket.close(); }
        };
    }

    static MemberLink webSocket(InetSocketAddress server, String path) throws IOException {
        return new WebSocketLink(server, path);
    }

    /** The page's protocol: one masked text message per line out; JSON events, one per line of a message, in. */
    final class WebSocketLink implements MemberLink {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;
        private final ArrayDeque<String> pending = new ArrayDeque<>();

        WebSocketLink(InetSocketAddress server, String path) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(server, 10_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
            out = socket.getOutputStream();
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder head = new StringBuilder();
            while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new IOException("closed during the WebSocket handshake");
                head.append((char) b);
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) throw new IOException("WebSocket handshake refused: " + head.toString().lines().findFirst().orElse(""));
        }

        @Override
        public String readLine() throws IOException {
            while (pending.isEmpty()) {
                String message = readMessage();
                if (message == null) return null;
                for (String json : message.split("\n")) if (!json.isEmpty()) pending.add(asLine(json));
            }
            return pending.poll();
        }

        /** The next text message, answering pings on the way; null at a close or the end of the stream. */
        private String readMessage() throws IOException {
            java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
            while (true) {
                int b0 = in.read(), b1 = in.read();
                if (b0 < 0 || b1 < 0) return null;
                long len = b1 & 0x7f;
                if (len == 126) len = (in.read() << 8) | in.read();
                else if (len == 127) {
                    len = 0;
                    for (int i = 0; i < 8; i++) len = (len << 8) | in.read();
                }
                byte[] payload = in.readNBytes((int) len);
                int opcode = b0 & 0x0f;
                if (opcode == 0x8) return null;
                if (opcode == 0x9) {
                    send(0xA, payload);
                    continue;
                }
                if (opcode == 0xA) continue;
                message.write(payload);
                if ((b0 & 0x80) != 0) return message.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void writeLine(String line) throws IOException {
            send(0x1, line.getBytes(StandardCharsets.UTF_8));
        }

        private synchronized void send(int opcode, byte[] p) throws IOException {
            int n = p.length;
            byte[] f = new byte[(n < 126 ? 2 : n <= 0xFFFF ? 4 : 10) + 4 + n];
            int at = 0;
            f[at++] = (byte) (0x80 | opcode);
            if (n < 126) {
                f[at++] = (byte) (0x80 | n);
            } else if (n <= 0xFFFF) {
                f[at++] = (byte) (0x80 | 126);
                f[at++] = (byte) (n >> 8);
                f[at++] = (byte) n;
            } else {
                f[at++] = (byte) (0x80 | 127);
                for (int i = 7; i >= 0; i--) f[at++] = (byte) ((long) n >> (8 * i));
            }
            int mask = ThreadLocalRandom.current().nextInt();
            for (int i = 0; i < 4; i++) f[at++] = (byte) (mask >> (24 - 8 * i));
            for (int i = 0; i < n; i++) f[at + i] = (byte) (p[i] ^ f[at - 4 + (i & 3)]);
            out.write(f);
        }

        /** A room event as a terminal member would see it. */
        static String asLine(String json) {
            String type = field(json, "type");
            if (type == null) return "* ?";
            return switch (type) {
                case "said" -> field(json, "from") + ": " + field(json, "text");
                case "notice" -> "* " + field(json, "text");
                case "joined" -> "* " + field(json, "name") + " joined";
                case "left" -> "* " + field(json, "name") + " left";
                default -> "* " + type;
            };
        }

        /** The string value of top-level {@code "name"} in a flat JSON object (the room's events are flat). */
        static String field(String json, String name) {
            int at = json.indexOf("\"" + name + "\":\"");
            if (at < 0) return null;
            StringBuilder v = new StringBuilder();
            for (int i = at + name.length() + 4; i < json.length(); i++) {
                char c = json.charAt(i);
                if (c == '"') return v.toString();
                if (c == '\\' && i + 1 < json.length()) {
                    char e = json.charAt(++i);
                    switch (e) {
                        case 'n' -> v.append('\n');
                        case 't' -> v.append('\t');
                        case 'r' -> v.append('\r');
                        case 'u' -> {
                            v.append((char) Integer.parseInt(json, i + 1, i + 5, 16));
                            i += 4;
                        }
                        default -> v.append(e);
                    }
                } else {
                    v.append(c);
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
