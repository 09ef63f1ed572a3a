package dev.polyserve.process.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole messages between two processes over a Unix domain stream socket: the course's {@code Pipe}/{@code Queue}
 * transport between processes, used master&lt;-&gt;worker.
 *
 * <p>Each message travels as a 4-byte big-endian length and its bytes, so the receiver gets exactly the messages
 * that were sent, however the kernel splits or joins them. A message longer than {@link #MAX_MESSAGE_BYTES} is
 * refused on both sides (the sender gets {@link IllegalArgumentException}; a receiver that reads such a length
 * logs it and fails with {@link FrameTooLargeException}, because a stream with a bad length cannot be resynchronised).
 *
 * <p>Blocking I/O: give each channel a (virtual) thread that loops on {@link #receive()}. {@link #send} is safe from
 * any number of threads (messages are never interleaved); {@link #receive} is meant for one reader at a time and
 * is serialised if there are more.
 */
public final class MessageChannel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MessageChannel.class);

    /**
     * Largest message: 16 MiB. Control messages and stats snapshots are a few hundred bytes; the cap keeps a
     * corrupt or hostile length from making the receiver allocate gigabytes.
     */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;

    /** Read buffer: 64 KiB, the default Unix socket buffer size, so one read drains what the kernel holds. */
    private static final int READ_BUFFER_BYTES = 64 << 10;

    private final SocketChannel socket;
    private final Object sendLock = new Object();
    private final Object receiveLock = new Object();
    private final FrameDecoder decoder = new FrameDecoder(MAX_MESSAGE_BYTES);
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>(); // guarded by receiveLock
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);

    MessageChannel(SocketChannel socket) {
        this.socket = socket;
    }

    /** Connects to a {@link MessageListener} bound at {@code socketPath}. */
    public static MessageChannel connect(Path socketPath) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socketPath));
            return new MessageChannel(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Wraps an already connected stream socket (either side, any family). */
    public static MessageChannel over(SocketChannel connected) {
        if (!connected.isBlocking()) throw new IllegalArgumentException("MessageChannel needs a blocking socket");
        return new MessageChannel(connected);
    }

    /** Sends one message (blocks only while the peer's socket buffer is full). */
    public void send(byte[] message) throws IOException {
        sendAll(List.of(message));
    }

    /** Sends {@code messages} in order with one write where the socket buffer takes them: a batch, not N syscalls. */
    public void sendAll(List<byte[]> messages) throws IOException {
        for (byte[] m : messages) {
            if (m.length > MAX_MESSAGE_BYTES) {
                throw new IllegalArgumentException("message of " + m.length + " bytes exceeds the limit of "
                        + MAX_MESSAGE_BYTES + " bytes");
            }
        }
        ByteBuffer frames = FrameDecoder.encodeAll(messages);
        synchronized (sendLock) {
            while (frames.hasRemaining()) socket.write(frames);
        }
    }

    /** Sends {@code text} as UTF-8. */
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The next message, waiting for it; empty when the peer closed cleanly between messages.
     *
     * @throws EOFException if the peer closed in the middle of a message
     * @throws FrameTooLargeException if the peer announced a message over {@link #MAX_MESSAGE_BYTES}
     */
    public Optional<byte[]> receive() throws IOException {
        synchronized (receiveLock) {
            while (ready.isEmpty()) {
                try {
                    // The messages before a bad frame were handed out; the failure comes next, without another read.
                    decoder.checkFailed();
                    readBuffer.clear();
                    int n = socket.read(readBuffer);
                    if (n < 0) {
                        if (decoder.atBoundary()) return Optional.empty();
                        throw new EOFException("peer closed in the middle of a message");
                    }
                    ready.addAll(decoder.feed(readBuffer.flip()));
                } catch (FrameTooLargeException e) {
                    log.warn("closing message channel: {}", e.getMessage());
                    close();
                    throw e;
                }
            }
            return Optional.of(ready.poll());
        }
    }

    /**
     * Every message already read, waiting for at least one: a batch, where {@link #receive} hands them out one at
     * a time. Empty when the peer closed cleanly between messages; throws as {@link #receive} does.
     */
    public List<byte[]> receiveAvailable() throws IOException {
        synchronized (receiveLock) {
            if (ready.isEmpty()) {
                Optional<byte[]> first = receive();
                if (first.isEmpty()) return List.of();
                ready.addFirst(first.get());
            }
            List<byte[]> batch = new ArrayList<>(ready);
            ready.clear();
            return batch;
        }
    }

    /** The next message as UTF-8 text; empty at a clean end. */
    public Optional<String> receiveText() throws IOException {
        return receive().map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public boolean isOpen() {
        return socket.isOpen();
    }

    /** Closes the socket; a thread blocked in {@link #receive} gets an exception. Idempotent. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
