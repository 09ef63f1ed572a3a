package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided-buffer ring (io_uring_register PBUF_RING, Linux 5.19+): a pool of equal receive buffers shared by
 * every connection of a ring. A receive does not own memory while it waits; the kernel picks a free buffer when
 * bytes arrive and names it in the completion, and the loop hands it back here once the handler has read it. So
 * ten thousand idle connections cost no receive memory.
 */
final class BufferRing {
    /** struct io_uring_buf { u64 addr; u32 len; u16 bid; u16 resv; }; the ring's tail overlays entry 0's resv. */
    private static final long ENTRY = 16;
    private static final long TAIL = 14;
    private static final VarHandle SHORT_RELEASE = JAVA_SHORT.varHandle();

    private final int entries;
    private final int bufferSize;
    private final MemorySegment ring;
    private final MemorySegment buffers;
    private final ByteBuffer[] views;
    private final short group;
    private short tail;

    /**
     * Registers {@code entries} (a power of two) buffers of {@code bufferSize} bytes as group {@code group}.
     *
     * @throws ErrnoException EINVAL on kernels before 5.19
     */
    BufferRing(IoUring uring, short group, int entries, int bufferSize) throws ErrnoException {
        if (Integer.bitCount(entries) != 1) throw new IllegalArgumentException("entries must be a power of two");
        this.entries = entries;
        this.bufferSize = bufferSize;
        this.group = group;
        Arena arena = Arena.ofAuto();
        this.ring = arena.allocate(ENTRY * entries, 4096);
        this.buffers = arena.allocate((long) bufferSize * entries, 4096);
        this.views = new ByteBuffer[entries];
        for (int i = 0; i < entries; i++) {
            views[i] = buffers.asSlice((long) i * bufferSize, bufferSize).asByteBuffer();
        }
        try (Arena tmp = Arena.ofConfined()) {
            // struct io_uring_buf_reg { u64 ring_addr; u32 ring_entries; u16 bgid; u16 flags; u64 resv[3]; }
            MemorySegment reg = tmp.allocate(40, 8);
            reg.set(JAVA_LONG, 0, ring.address());
            reg.set(JAVA_INT, 8, entries);
            reg.set(JAVA_SHORT, 12, group);
            Libc.check("io_uring_register(PBUF_RING)", uring.register(IoUring.REGISTER_PBUF_RING, reg.address(), 1));
        }
        for (int i = 0; i < entries; i++) put(i);
        publish();
    }

    short group() {
        return group;
    }

    int bufferSize() {
        return bufferSize;
    }

    /** The buffer {@code id} as a ByteBuffer over its first {@code length} bytes. No allocation. */
    ByteBuffer view(int id, int length) {
        ByteBuffer b = views[id];
        b.limit(length).position(0);
        return b;
    }

    /** Gives buffer {@code id} back to the kernel. */
    void recycle(int id) {
        put(id);
        publish();
    }

    private void put(int id) {
        long off = (tail & (entries - 1)) * ENTRY;
        ring.set(JAVA_LONG, off, buffers.address() + (long) id * bufferSize);
        ring.set(JAVA_INT, off + 8, bufferSize);
        ring.set(JAVA_SHORT, off + 12, (short) id);
        tail++;
    }

    private void publish() {
        SHORT_RELEASE.setRelease(ring, TAIL, tail);
    }
}
