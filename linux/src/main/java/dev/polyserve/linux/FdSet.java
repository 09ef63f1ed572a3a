package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A C {@code fd_set}: a fixed bitmap of {@link #FD_SETSIZE} bits, one per descriptor number, stored as
 * 64-bit words exactly as glibc lays it out. {@code select(2)} cannot watch a descriptor at or above
 * {@code FD_SETSIZE}; {@link #set} refuses one rather than write past the bitmap (glibc would corrupt memory).
 */
final class FdSet {
    /** glibc's compile-time size of fd_set; the kernel's select(2) ABI is built around it. */
    static final int FD_SETSIZE = 1024;
    static final long BYTES = FD_SETSIZE / 8;

    private final MemorySegment bits;
    private final long address;

    FdSet(Arena arena) {
        bits = arena.allocate(BYTES, 8);
        address = bits.address();
    }

    /** The address to pass to select(2). */
    long address() {
        return address;
    }

    static boolean fits(int fd) {
        return fd >= 0 && fd < FD_SETSIZE;
    }

    void set(int fd) {
        checkFits(fd);
        long off = (long) (fd >>> 6) * 8;
        bits.set(JAVA_LONG, off, bits.get(JAVA_LONG, off) | (1L << (fd & 63)));
    }

    void clear(int fd) {
        checkFits(fd);
        long off = (long) (fd >>> 6) * 8;
        bits.set(JAVA_LONG, off, bits.get(JAVA_LONG, off) & ~(1L << (fd & 63)));
    }

    boolean isSet(int fd) {
        checkFits(fd);
        return (bits.get(JAVA_LONG, (long) (fd >>> 6) * 8) & (1L << (fd & 63))) != 0;
    }

    void zero() {
        bits.fill((byte) 0);
    }

    /** Makes this set a copy of {@code other} (select(2) overwrites its sets, so the loop copies a master set). */
    void copyFrom(FdSet other) {
        bits.copyFrom(other.bits);
    }

    private static void checkFits(int fd) {
        if (!fits(fd)) {
            throw new IllegalArgumentException("descriptor " + fd + " is outside fd_set (FD_SETSIZE " + FD_SETSIZE + ")");
        }
    }
}
