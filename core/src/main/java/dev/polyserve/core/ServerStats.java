package dev.polyserve.core;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Live counters every engine keeps, and counters a service keeps by key (HTTP: responses by status); read by
 * metrics endpoints and {@code polyserve status}. Thread-safe. Where a server spans processes (prefork), the model
 * installs a {@linkplain #wholeServer source of the whole server's totals}, so a metrics endpoint answered by one
 * worker still speaks for the server.
 */
public final class ServerStats {
    /** Keys {@link #count(int, long)} takes: 0 to this. An HTTP status fits, with room for a few of the service's own. */
    public static final int MAX_KEY = 1023;

    /** The whole server's counters as one process sees them (prefork: at most one publish interval old). */
    public record Totals(long accepted, long refused, long open, long bytesIn, long bytesOut, int processes,
                         SortedMap<Integer, Long> counted) {
        public Totals {
            counted = Collections.unmodifiableSortedMap(new TreeMap<>(counted));
        }

        /** The count under {@code key}, 0 if none. */
        public long counted(int key) {
            return counted.getOrDefault(key, 0L);
        }
    }

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final AtomicLong open = new AtomicLong();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final AtomicReferenceArray<LongAdder> keyed = new AtomicReferenceArray<>(MAX_KEY + 1);
    private volatile Supplier<Totals> wholeServer;

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

    /** Adds {@code n} under {@code key} (0 to {@link #MAX_KEY}): a service's own count, summed across workers. */
    public void count(int key, long n) {
        LongAdder a = keyed.get(key);
        if (a == null) {
            keyed.compareAndSet(key, null, new LongAdder());
            a = keyed.get(key);
        }
        a.add(n);
    }

    /** Every key counted so far in this process, ascending, with its count. */
    public SortedMap<Integer, Long> counted() {
        SortedMap<Integer, Long> m = new TreeMap<>();
        for (int k = 0; k <= MAX_KEY; k++) {
            LongAdder a = keyed.get(k);
            if (a != null) m.put(k, a.sum());
        }
        return m;
    }

    /** This process's counters alone. */
    public Totals local() {
        return new Totals(accepted(), refused(), open(), bytesIn(), bytesOut(), 1, counted());
    }

    /** The whole server's counters: this process's, unless a model that spans processes installed a source. */
    public Totals totals() {
        Supplier<Totals> s = wholeServer;
        return s != null ? s.get() : local();
    }

    /** For models that spread one server over processes: where {@link #totals()} comes from. */
    public void wholeServer(Supplier<Totals> source) {
        this.wholeServer = Objects.requireNonNull(source);
    }
}
