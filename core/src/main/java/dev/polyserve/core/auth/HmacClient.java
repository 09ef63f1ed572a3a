package dev.polyserve.core.auth;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The client half of {@link HmacGate}, for blocking clients: read the challenge, send the answer. It reads
 * exactly the challenge, so the stream is positioned at the service's first byte afterwards.
 */
public final class HmacClient {
    private HmacClient() {}

    /** The answer to {@code challenge} under {@code key}. */
    public static byte[] answer(HmacKey key, byte[] challenge) {
        return Hmac.sha256(key.secret(), challenge);
    }

    /** Answers the gate on a connected socket (its read timeout, if any, bounds the wait). */
    public static void answer(Socket socket, HmacKey key) throws IOException {
        answer(socket.getInputStream(), socket.getOutputStream(), key);
    }

    /** Answers the gate over a stream pair (for clients that already wrapped their socket's streams). */
    public static void answer(InputStream in, OutputStream out, HmacKey key) throws IOException {
        byte[] challenge = new byte[HmacGate.CHALLENGE_BYTES];
        new DataInputStream(in).readFully(challenge);
        out.write(answer(key, challenge));
        out.flush();
    }

    /** Answers the gate on a connected channel in blocking mode. */
    public static void answer(SocketChannel channel, HmacKey key) throws IOException {
        if (!channel.isBlocking()) throw new IllegalArgumentException("the channel must be in blocking mode");
        ByteBuffer challenge = ByteBuffer.allocate(HmacGate.CHALLENGE_BYTES);
        while (challenge.hasRemaining()) {
            if (channel.read(challenge) < 0) {
                throw new IOException("server closed before sending the whole HMAC challenge");
            }
        }
        ByteBuffer reply = ByteBuffer.wrap(answer(key, challenge.array()));
        while (reply.hasRemaining()) channel.write(reply);
    }
}
