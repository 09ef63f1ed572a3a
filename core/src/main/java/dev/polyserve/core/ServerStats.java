package dev.polyserve.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Live counters every engine keeps; read by metrics endpoints and {@code polyserve status}. Thread-safe. */
public final class ServerStats {
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final AtomicLong open = new AtomicLong();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();

    public void connectionOpened() {
        accepted.increment();
        open.incrementAndGet();
    }

    public void connectionClosed() {
        open.decrementAndGet();
    }

    public void connectionRefused() {
        refused.increment();
    }

    public void read(long n) {
        bytesIn.add(n);
    }

    public void wrote(long n) {
        bytesOut.add(n);
    }

    public long accepted() { return accepted.sum(); }
    public long refused() { return refused.sum(); }
    public long open() { return open.get(); }
    public long bytesIn() { return bytesIn.sum(); }
    public long bytesOut() { return bytesOut.sum(); }
}
