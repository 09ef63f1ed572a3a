package dev.polyserve.services.http.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A WebSocket client over a raw socket, for what real clients refuse to send (unmasked frames, bad UTF-8...). */
final class RawWs implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    record Head(int status, String statusLine, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A server frame: the first byte (FIN, RSV, opcode) and the payload. */
    record Frame(int b0, byte[] payload) {
        int opcode() {
            return b0 & 0x0f;
        }

        boolean rsv1() {
            return (b0 & 0x40) != 0;
        }

        int closeCode() {
            return payload.length < 2 ? WsFrames.NO_STATUS : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawWs(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** The request for {@code path} with the usual handshake fields plus {@code extra} lines ("Name: value"). */
    static String request(String path, String... extra) {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n");
        for (String e : extra) b.append(e).append("\r\n");
        return b.append("\r\n").toString();
    }

    RawWs send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    RawWs send(String s) throws IOException {
        return send(s.getBytes(ISO_8859_1));
    }

    /** Reads a response head (and skips a body with Content-Length). */
    Head head() throws IOException {
        String status = line();
        if (status == null) throw new IOException("closed before a response");
        Map<String, String> h = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            h.merge(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim(), (a, b) -> a + ", " + b);
        }
        String length = h.get("content-length");
        if (length != null) in.readNBytes(Integer.parseInt(length));
        return new Head(Integer.parseInt(status.split(" ")[1]), status, h);
    }

    /** Opens {@code path}; fails unless the answer is 101. */
    RawWs open(String path, String... extra) throws IOException {
        send(request(path, extra));
        Head h = head();
        if (h.status() != 101) throw new IOException("handshake refused: " + h);
        return this;
    }

    Frame frame() throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) throw new IOException("closed");
        if ((b1 & 0x80) != 0) throw new IOException("a server frame must not be masked");
        long len = b1 & 0x7f;
        if (len == 126) len = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
        else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) len = (len << 8) | (in.read() & 0xff);
        }
        byte[] p = in.readNBytes((int) len);
        if (p.length != len) throw new IOException("closed in a frame");
        return new Frame(b0, p);
    }

    /** True if the server closed the TCP connection (EOF, or a reset) before any more bytes. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.write(c);
        if (c < 0 && b.size() == 0) return null;
        String s = b.toString(ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
