package dev.polyserve.process;

import dev.polyserve.core.SharedState;
import dev.polyserve.process.ipc.MessageChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SharedState.Outbox} over a {@link MessageChannel}: {@link #send} only queues, so an event loop never
 * waits on the other process; one virtual thread writes the queue out, many messages per write. Messages sent
 * before {@link #start} wait in the queue.
 */
final class ChannelOutbox implements SharedState.Outbox, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelOutbox.class);

    /**
     * Most bytes queued for a peer that is not reading: 64 MiB, seconds of a busy chat room's traffic. Past it the
     * peer is stuck, not slow, and the link is closed (its worker then exits and is replaced) instead of holding
     * memory without bound.
     */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    /** Most messages per write: a few hundred small messages fill a socket buffer; the cap bounds the copy. */
    static final int MAX_BATCH = 256;

    private final String peer;
    private final long maxQueuedBytes;
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile MessageChannel channel;
    private volatile Thread pump;
    private volatile boolean closed;

    /** @param peer who the messages are for, as the log names it */
    ChannelOutbox(String peer) {
        this(peer, MAX_QUEUED_BYTES);
    }

    ChannelOutbox(String peer, long maxQueuedBytes) {
        this.peer = peer;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /** Starts writing to {@code ch}, queued messages first. */
    void start(MessageChannel ch) {
        channel = ch;
        pump = Thread.ofVirtual().name("polyserve-outbox").start(this::pump);
    }

    @Override
    public void send(byte[] message) {
        if (closed) return;
        if (queuedBytes.addAndGet(framed(message)) > maxQueuedBytes) {
            log.error("{} has not read its last {} bytes of shared-state messages; closing its link", peer, maxQueuedBytes);
            close();
            return;
        }
        queue.add(message);
    }

    private void pump() {
        List<byte[]> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!closed) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                channel.sendAll(batch);
                long sent = 0;
                for (byte[] m : batch) sent += framed(m);
                if (queuedBytes.addAndGet(-sent) == 0) {
                    synchronized (this) {
                        notifyAll();
                    }
                }
                batch.clear();
            }
        } catch (IOException e) {
            if (!closed) log.warn("shared-state link to {} failed: {}", peer, e.getMessage());
            close();
        } catch (InterruptedException e) {
            // close() stops the pump.
        }
    }

    /** A message's size on the wire: its length header counts, so even empty messages are waited for. */
    private static long framed(byte[] message) {
        return Integer.BYTES + message.length;
    }

    /** Waits until everything queued so far is written, at most {@code limit}; false if it was not. */
    boolean awaitSent(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (this) {
            while (queuedBytes.get() > 0 && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return queuedBytes.get() <= 0;
    }

    /** Drops what is queued and closes the channel: the peer's reader sees the end. Idempotent. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        queue.clear();
        Thread t = pump;
        if (t != null) t.interrupt();
        MessageChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing is all we wanted.
            }
        }
    }
}
