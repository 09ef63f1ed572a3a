package dev.polyserve.services.chat.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The events this node sent lately, by sequence number, kept so a node that missed some (its subscription was down
 * while Redis was restarting) can ask for them again. Bounded by bytes; the oldest go first. Thread-safe.
 */
final class SenderLog {
    private record Sent(long seq, byte[] bytes) {}

    private final long maxBytes;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private long bytes;

    SenderLog(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Keeps the message numbered {@code seq}; numbers come in order, one more each time. */
    synchronized void add(long seq, byte[] message) {
        sent.addLast(new Sent(seq, message));
        bytes += message.length;
        while (bytes > maxBytes && sent.size() > 1) bytes -= sent.removeFirst().bytes.length;
    }

    /** The first sequence number still kept, or {@code Long.MAX_VALUE} if none is. */
    synchronized long oldest() {
        return sent.isEmpty() ? Long.MAX_VALUE : sent.getFirst().seq;
    }

    /** The kept messages numbered {@code first..last}, in order. */
    synchronized List<byte[]> range(long first, long last) {
        List<byte[]> out = new ArrayList<>();
        for (Sent s : sent) {
            if (s.seq > last) break;
            if (s.seq >= first) out.add(s.bytes);
        }
        return out;
    }
}
