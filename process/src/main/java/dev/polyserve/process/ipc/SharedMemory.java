package dev.polyserve.process.ipc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A segment of memory shared by every process that maps the same file: the course's
 * {@code multiprocessing.Value} and {@code Array}, done with the FFM API.
 *
 * <p>The file is mapped {@code MAP_SHARED} ({@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}), so
 * every process that maps it sees the same physical pages. The segment is a row of 64-bit slots addressed by
 * index. Every access goes through a {@link VarHandle} in volatile or atomic mode: {@code getAndAdd} and
 * {@code compareAndSet} compile to {@code LOCK XADD} / {@code LOCK CMPXCHG}, which are atomic on the cache line
 * whichever process issues them. Slots are 8-byte aligned because the mapping starts on a page boundary.
 *
 * <p>One process {@linkplain #create creates} the file (zero-filled); the others {@linkplain #attach attach}
 * to it. Put the file on a RAM-backed file system ({@code /dev/shm}) when it should never reach a disk; any
 * file system works for correctness. An instance is safe for use by many threads; {@link #close()} unmaps it,
 * after which any access throws {@link IllegalStateException}.
 */
public final class SharedMemory implements AutoCloseable {

    /** Bytes per slot: one {@code long}. */
    public static final int SLOT_BYTES = Long.BYTES;

    /**
     * Largest segment, in slots: 128 Mi slots = 1 GiB. Counters and stats tables need kilobytes; the cap stops a
     * typo from mapping (and, on {@link #create}, allocating) an absurd file.
     */
    public static final int MAX_SLOTS = 1 << 27;

    /** Coordinates (MemorySegment, long byteOffset); atomic modes need 8-byte alignment, which slots have. */
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Path file;
    private final Arena arena;
    private final MemorySegment segment;
    private final int slots;

    private SharedMemory(Path file, Arena arena, MemorySegment segment, int slots) {
        this.file = file;
        this.arena = arena;
        this.segment = segment;
        this.slots = slots;
    }

    /**
     * Creates (or empties) {@code file} with {@code slots} zeroed slots and maps it. Call this once, in the process
     * that owns the segment, before the others {@link #attach}: emptying a file another process has mapped makes
     * its next access fault.
     */
    public static SharedMemory create(Path file, int slots) throws IOException {
        if (slots < 1 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("slots must be between 1 and " + MAX_SLOTS + ", got " + slots);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            return map(file, ch, slots); // mapping past the end grows the file with zero bytes
        }
    }

    /** Maps an existing segment file made by {@link #create}; its size gives the number of slots. */
    public static SharedMemory attach(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no shared memory segment (create it first)");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0 || size % SLOT_BYTES != 0 || size / SLOT_BYTES > MAX_SLOTS) {
                throw new IOException(file + " is not a shared memory segment (size " + size + " bytes)");
            }
            return map(file, ch, (int) (size / SLOT_BYTES));
        }
    }

    private static SharedMemory map(Path file, FileChannel ch, int slots) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            // The mapping outlives the channel: closing the file descriptor does not unmap.
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, (long) slots * SLOT_BYTES, arena);
            return new SharedMemory(file, arena, seg, slots);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The backing file. */
    public Path file() {
        return file;
    }

    /** Number of 64-bit slots. */
    public int slots() {
        return slots;
    }

    /** A single shared number at {@code slot} (the course's {@code Value('l')}). */
    public SharedLong value(int slot) {
        return new SharedLong(this, Objects.checkIndex(slot, slots));
    }

    /** {@code length} shared numbers starting at {@code firstSlot} (the course's {@code Array('l', n)}). */
    public SharedLongArray array(int firstSlot, int length) {
        Objects.checkFromIndexSize(firstSlot, length, slots);
        return new SharedLongArray(this, firstSlot, length);
    }

    /** Volatile read of {@code slot}. */
    public long get(int slot) {
        return (long) LONG.getVolatile(segment, offset(slot));
    }

    /** Volatile write of {@code slot}. */
    public void set(int slot, long value) {
        LONG.setVolatile(segment, offset(slot), value);
    }

    /** Atomically adds {@code delta} to {@code slot}; returns the previous value. */
    public long getAndAdd(int slot, long delta) {
        return (long) LONG.getAndAdd(segment, offset(slot), delta);
    }

    /** Atomically adds {@code delta} to {@code slot}; returns the new value. */
    public long addAndGet(int slot, long delta) {
        return getAndAdd(slot, delta) + delta;
    }

    /** Atomically adds one to {@code slot}; returns the new value. */
    public long incrementAndGet(int slot) {
        return addAndGet(slot, 1);
    }

    /** Atomically sets {@code slot} to {@code update} if it holds {@code expected}. */
    public boolean compareAndSet(int slot, long expected, long update) {
        return LONG.compareAndSet(segment, offset(slot), expected, update);
    }

    /** Atomically replaces {@code slot}; returns the previous value. */
    public long getAndSet(int slot, long value) {
        return (long) LONG.getAndSet(segment, offset(slot), value);
    }

    private long offset(int slot) {
        return (long) Objects.checkIndex(slot, slots) * SLOT_BYTES;
    }

    /** Unmaps the segment in this process (the file stays; delete it when no process needs it). */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "SharedMemory[" + file + ", " + slots + " slots]";
    }
}
