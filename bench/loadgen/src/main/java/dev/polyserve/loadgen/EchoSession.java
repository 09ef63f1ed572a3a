package dev.polyserve.loadgen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection: keeps {@code depth} messages in flight, checks every echoed byte against
 * what was sent, and times each message from the moment it is queued until its last byte returns.
 *
 * <p>All messages carry the same bytes, so the outgoing side is a window over the loop's shared
 * payload buffer (no copy, no allocation per message) and the incoming side only needs the offset
 * inside the current message. Owned by one {@link ClientLoop}; not thread-safe.
 */
final class EchoSession {
    /** Why a session ended early; {@link #NONE} while it is healthy. */
    enum Failure { NONE, CONNECT, IO, CLOSED_BY_SERVER, CORRUPT }

    final SocketChannel channel;
    private final ByteBuffer payload;
    private final int size;
    private final long[] sentAt;
    private SelectionKey key;
    private int head;
    private int outstanding;
    /** Bytes of queued messages not yet accepted by the socket. */
    private long bytesOwed;
    /** Offset inside the message of the next byte to write. */
    private int sendOffset;
    /** Offset inside the message of the next byte expected back. */
    private int receiveOffset;
    private boolean wantsWrite;
    private Failure failure = Failure.NONE;
    private boolean servedInWindow;
    /** Messages this connection may carry before it is closed and replaced; 0 = no limit. */
    private final int messageLimit;
    private int messagesQueued;
    private int messagesCompleted;
    /** When connect() was called: the start of this connection's set-up time. */
    final long connectStartedAt;
    /** Index in the loop's session list, for O(1) removal when a connection is replaced. */
    int index;

    /** @param payloadWindow a private view (own position and limit) of the loop's repeated payload */
    EchoSession(SocketChannel channel, ByteBuffer payloadWindow, int size, int depth) {
        this(channel, payloadWindow, size, depth, 0, 0);
    }

    EchoSession(SocketChannel channel, ByteBuffer payloadWindow, int size, int depth, int messageLimit, long connectStartedAt) {
        this.channel = channel;
        this.payload = payloadWindow;
        this.size = size;
        this.sentAt = new long[depth];
        this.messageLimit = messageLimit;
        this.connectStartedAt = connectStartedAt;
    }

    /** Messages whose echo completed on this connection. */
    int messagesCompleted() {
        return messagesCompleted;
    }

    /** True when the connection has carried all the messages it may: time to close and replace it. */
    boolean finished() {
        return messageLimit > 0 && messagesCompleted >= messageLimit;
    }

    void attach(SelectionKey selectionKey) {
        this.key = selectionKey;
    }

    SelectionKey key() {
        return key;
    }

    int outstanding() {
        return outstanding;
    }

    /** True once one of this connection's messages was counted in the measured window. */
    boolean servedInWindow() {
        return servedInWindow;
    }

    Failure failure() {
        return failure;
    }

    void fail(Failure why) {
        if (failure == Failure.NONE) failure = why;
    }

    /** Queues {@code count} messages stamped {@code now} and writes as much as the socket takes. */
    void send(int count, long now) throws IOException {
        queue(count, now);
        flush();
    }

    /** Counts {@code count} more messages, sent at {@code now}, as outstanding and owed to the socket. */
    void queue(int count, long now) {
        if (outstanding + count > sentAt.length) throw new IllegalStateException("more than " + sentAt.length + " messages in flight");
        for (int i = 0; i < count; i++) {
            sentAt[(head + outstanding) % sentAt.length] = now;
            outstanding++;
        }
        messagesQueued += count;
        bytesOwed += (long) count * size;
    }

    /** Keeps the pipeline full: sends until {@code depth} messages are outstanding (or the connection's limit is queued). */
    void fill(long now) throws IOException {
        int room = sentAt.length - outstanding;
        send(messageLimit > 0 ? Math.min(room, messageLimit - messagesQueued) : room, now);
    }

    /** Writes owed bytes until done or the socket is full; asks for OP_WRITE only in the latter case. */
    void flush() throws IOException {
        while (bytesOwed > 0) {
            payload.limit((int) Math.min(payload.capacity(), sendOffset + bytesOwed)).position(sendOffset);
            int written = channel.write(payload);
            if (written == 0) {
                if (!wantsWrite) {
                    wantsWrite = true;
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
                return;
            }
            bytesOwed -= written;
            sendOffset = (int) ((sendOffset + written) % size);
        }
        if (wantsWrite) {
            wantsWrite = false;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /**
     * Consumes echoed bytes. Returns how many messages completed; their send instants are handed to
     * {@code completed} in order. A byte that differs from what was sent, or arrives when nothing is
     * outstanding, marks the session {@link Failure#CORRUPT} and stops consumption.
     */
    int receive(ByteBuffer in, Completion completed) {
        int done = 0;
        while (in.hasRemaining()) {
            if (outstanding == 0 || in.get() != payload.get(receiveOffset)) {
                fail(Failure.CORRUPT);
                return done;
            }
            if (++receiveOffset == size) {
                receiveOffset = 0;
                long sent = sentAt[head];
                head = (head + 1) % sentAt.length;
                outstanding--;
                messagesCompleted++;
                done++;
                if (completed.message(sent)) servedInWindow = true;
            }
        }
        return done;
    }

    /** Receives the send instant of each message whose echo completed. */
    @FunctionalInterface
    interface Completion {
        /** Returns true when the message counted towards the measured window (false: warm-up or drain). */
        boolean message(long sentAtNanos);
    }
}
