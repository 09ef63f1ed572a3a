package dev.polyserve.services.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.polyserve.core.codec.FrameLimits;
import dev.polyserve.core.codec.HeaderBodyDecoder;
import dev.polyserve.core.codec.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/** A program speaking the chat's JSON frames over a plain socket. */
final class FrameClient implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final HeaderBodyDecoder decoder = new HeaderBodyDecoder(FrameLimits.DEFAULTS);
    private final ArrayDeque<JsonNode> ready = new ArrayDeque<>();
    private boolean eof;

    FrameClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) LineClient.DEADLINE.toMillis());
        in = socket.getInputStream();
    }

    void send(String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array());
    }

    /** Bytes as they are, a partial frame say. */
    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
    }

    JsonNode next() throws IOException, ProtocolException {
        byte[] buf = new byte[4096];
        while (ready.isEmpty()) {
            int n = in.read(buf);
            if (n < 0) throw new IOException("server closed the connection");
            decoder.decode(ByteBuffer.wrap(buf, 0, n), e -> ready.add(((HeaderBodyDecoder.Frame) e).header()));
        }
        return ready.poll();
    }

    boolean awaitEof() throws IOException {
        while (!eof) {
            if (in.read() < 0) eof = true;
        }
        return true;
    }

    /**
     * True once the server ended the connection: end of stream, or a reset, which is how the kernel answers bytes that
     * arrive after the server closed (a client still sending).
     */
    boolean awaitEndOrReset() throws IOException {
        try {
            return awaitEof();
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
