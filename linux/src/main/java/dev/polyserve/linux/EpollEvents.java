package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * An array of C {@code struct epoll_event { uint32_t events; epoll_data_t data; }}. On x86-64 the kernel
 * declares it packed (12 bytes, data at offset 4); elsewhere it has natural alignment (16 bytes, data at 8).
 */
final class EpollEvents {
    static final boolean PACKED = isX86();
    static final long SIZE = PACKED ? 12 : 16;
    private static final long DATA = PACKED ? 4 : 8;

    private final MemorySegment array;
    private final int capacity;

    EpollEvents(Arena arena, int capacity) {
        this.capacity = capacity;
        this.array = arena.allocate(SIZE * capacity, 8);
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    long address() {
        return array.address();
    }

    long address(int i) {
        return array.address() + i * SIZE;
    }

    int capacity() {
        return capacity;
    }

    int events(int i) {
        return array.get(JAVA_INT_UNALIGNED, i * SIZE);
    }

    long data(int i) {
        return array.get(JAVA_LONG_UNALIGNED, i * SIZE + DATA);
    }

    void set(int i, int events, long data) {
        array.set(JAVA_INT_UNALIGNED, i * SIZE, events);
        array.set(JAVA_LONG_UNALIGNED, i * SIZE + DATA, data);
    }
}
