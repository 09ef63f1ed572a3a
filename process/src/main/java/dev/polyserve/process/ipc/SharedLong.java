package dev.polyserve.process.ipc;

/**
 * One 64-bit number in a {@link SharedMemory} segment, visible to every process that maps it: the course's
 * {@code multiprocessing.Value('l', 0)}. Unlike the course's {@code Value}, the increments are atomic without a
 * lock ({@code counter.value += 1} in Python is a read-modify-write race; {@link #incrementAndGet} is not).
 */
public final class SharedLong {
    private final SharedMemory memory;
    private final int slot;

    SharedLong(SharedMemory memory, int slot) {
        this.memory = memory;
        this.slot = slot;
    }

    public long get() { return memory.get(slot); }
    public void set(long value) { memory.set(slot, value); }
    public long incrementAndGet() { return memory.incrementAndGet(slot); }
    public long addAndGet(long delta) { return memory.addAndGet(slot, delta); }
    public long getAndAdd(long delta) { return memory.getAndAdd(slot, delta); }
    public boolean compareAndSet(long expected, long update) { return memory.compareAndSet(slot, expected, update); }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}
