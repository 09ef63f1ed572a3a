package dev.polyserve.process.ipc;

import java.util.Arrays;
import java.util.Objects;

/**
 * A fixed-length run of 64-bit numbers in a {@link SharedMemory} segment: the course's
 * {@code multiprocessing.Array('l', n)}. Each element is read and updated atomically; the array as a whole is
 * not a snapshot (another process may change element 3 while you read element 7).
 */
public final class SharedLongArray {
    private final SharedMemory memory;
    private final int first;
    private final int length;

    SharedLongArray(SharedMemory memory, int first, int length) {
        this.memory = memory;
        this.first = first;
        this.length = length;
    }

    public int length() { return length; }
    public long get(int i) { return memory.get(slot(i)); }
    public void set(int i, long value) { memory.set(slot(i), value); }
    public long addAndGet(int i, long delta) { return memory.addAndGet(slot(i), delta); }
    public long incrementAndGet(int i) { return memory.incrementAndGet(slot(i)); }
    public boolean compareAndSet(int i, long expected, long update) { return memory.compareAndSet(slot(i), expected, update); }

    /** Element-by-element copy (not an atomic snapshot of the whole array). */
    public long[] toArray() {
        long[] out = new long[length];
        for (int i = 0; i < length; i++) out[i] = get(i);
        return out;
    }

    private int slot(int i) {
        return first + Objects.checkIndex(i, length);
    }

    @Override
    public String toString() {
        return Arrays.toString(toArray());
    }
}
