package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A growing array of C {@code struct pollfd { int fd; short events; short revents; }} for {@code poll(2)}.
 * Removal moves the last entry into the hole, so the array stays dense and poll(2) scans no dead slots;
 * the caller keeps its fd-to-index map (the course's fdmap) in step through the returned moved descriptor.
 */
final class PollFds {
    static final long ENTRY = 8;
    private static final long EVENTS = 4;
    private static final long REVENTS = 6;
    /** Start room for 64 descriptors; doubling after that keeps growth amortised O(1). */
    private static final int INITIAL_CAPACITY = 64;

    private MemorySegment array;
    private int capacity;
    private int size;

    PollFds() {
        capacity = INITIAL_CAPACITY;
        array = Arena.ofAuto().allocate(capacity * ENTRY, 8);
    }

    long address() {
        return array.address();
    }

    int size() {
        return size;
    }

    /** Appends {@code fd} and returns its index. */
    int add(int fd, short events) {
        if (size == capacity) {
            MemorySegment bigger = Arena.ofAuto().allocate(capacity * 2L * ENTRY, 8);
            bigger.copyFrom(array);
            array = bigger;
            capacity *= 2;
        }
        int i = size++;
        long off = i * ENTRY;
        array.set(JAVA_INT, off, fd);
        array.set(JAVA_SHORT, off + EVENTS, events);
        array.set(JAVA_SHORT, off + REVENTS, (short) 0);
        return i;
    }

    /**
     * Removes entry {@code i} by moving the last entry into it. Returns the descriptor that now sits at
     * {@code i} (its index changed), or -1 when {@code i} was the last entry.
     */
    int remove(int i) {
        checkIndex(i);
        int last = --size;
        if (i == last) return -1;
        MemorySegment.copy(array, last * ENTRY, array, i * ENTRY, ENTRY);
        return fd(i);
    }

    int fd(int i) {
        return array.get(JAVA_INT, i * ENTRY);
    }

    short events(int i) {
        return array.get(JAVA_SHORT, i * ENTRY + EVENTS);
    }

    void events(int i, short events) {
        checkIndex(i);
        array.set(JAVA_SHORT, i * ENTRY + EVENTS, events);
    }

    short revents(int i) {
        return array.get(JAVA_SHORT, i * ENTRY + REVENTS);
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("pollfd index " + i + " of " + size);
    }
}
