package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One io_uring instance: the submission queue (SQ), its SQE array and the completion queue (CQ), mapped into
 * this process with mmap(2) and driven with io_uring_enter(2). The ring heads and tails are shared with the
 * kernel, so they are read with acquire and written with release ordering, as liburing does.
 *
 * <p>Not thread-safe: one loop thread owns a ring. {@link #sqe} hands out the next free SQE (zeroed), the
 * caller fills it, and {@link #submitAndWait} publishes every SQE filled since the last call in one system call
 * (batching). Completions are read with {@link #cqReady}, {@link #cqeUserData}, {@link #cqeRes},
 * {@link #cqeFlags} and released with {@link #cqAdvance}.
 */
@SuppressWarnings("restricted") // native access is this class's purpose; the launcher enables it
final class IoUring implements AutoCloseable {
    // <linux/io_uring.h>
    static final long OFF_SQ_RING = 0L;
    static final long OFF_CQ_RING = 0x8000000L;
    static final long OFF_SQES = 0x10000000L;
    static final int SETUP_CLAMP = 1 << 4;
    /** Created disabled: submissions wait for REGISTER_ENABLE_RINGS, which makes the enabling thread the issuer. */
    static final int SETUP_R_DISABLED = 1 << 6;
    /** Only one thread ever submits (Linux 6.0+): lets the kernel skip cross-thread synchronisation. */
    static final int SETUP_SINGLE_ISSUER = 1 << 12;
    /** Run completion work only when the issuer enters to wait (Linux 6.1+): fewer interrupts, better batching. */
    static final int SETUP_DEFER_TASKRUN = 1 << 13;
    static final int REGISTER_ENABLE_RINGS = 12;
    static final int FEAT_SINGLE_MMAP = 1;
    static final int FEAT_NODROP = 1 << 1;
    static final int FEAT_FAST_POLL = 1 << 5;
    static final int ENTER_GETEVENTS = 1;
    static final byte OP_NOP = 0;
    static final byte OP_POLL_ADD = 6;
    static final byte OP_TIMEOUT = 11;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_READ = 22;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;
    /** In an ACCEPT SQE's ioprio: keep accepting, one CQE per connection (Linux 5.19+). */
    static final short ACCEPT_MULTISHOT = 1;
    /** In a RECV SQE's ioprio: keep receiving, one CQE per chunk, buffers from the group (Linux 6.0+). */
    static final short RECV_MULTISHOT = 1 << 1;
    /** In an ASYNC_CANCEL SQE's op flags: cancel every request on the SQE's fd (Linux 5.19+). */
    static final int ASYNC_CANCEL_ALL = 1;
    static final int ASYNC_CANCEL_FD = 1 << 1;
    /** In an SQE's flags: let the kernel pick the receive buffer from the SQE's buffer group. */
    static final byte SQE_BUFFER_SELECT = 1 << 5;
    /** In a CQE's flags: a group buffer was used; its id is flags >>> CQE_BUFFER_SHIFT. */
    static final int CQE_F_BUFFER = 1;
    static final int CQE_BUFFER_SHIFT = 16;
    /** In a CQE's flags: the request stays armed and will post more completions. */
    static final int CQE_F_MORE = 1 << 1;
    /** io_uring_register opcode: register a ring of provided buffers (Linux 5.19+). */
    static final int REGISTER_PBUF_RING = 22;
    static final int SQE_SIZE = 64;
    static final int CQE_SIZE = 16;
    /** sizeof(struct io_uring_params). */
    private static final int PARAMS_SIZE = 120;

    private static final VarHandle INT_ACQ_REL = JAVA_INT.varHandle();

    private final int fd;
    private final int features;
    private final int setupFlags;
    private final long sqRingAddr;
    private final long sqRingLen;
    private final long cqRingAddr;
    private final long cqRingLen;
    private final long sqesAddr;
    private final long sqesLen;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    private final long sqHeadOff, sqTailOff, cqHeadOff, cqTailOff, cqesOff;
    private final int sqMask, sqEntries, cqMask, cqEntries;
    /** Our copy of the SQ tail: SQEs up to here are filled; the kernel sees them after {@link #publish}. */
    private int sqTail;
    /** SQEs published to the ring but not yet passed to io_uring_enter. */
    private int toSubmit;
    private int cqHead;
    private boolean closed;

    private IoUring(int fd, MemorySegment params, long sqRingAddr, long sqRingLen, long cqRingAddr, long cqRingLen,
                    long sqesAddr, long sqesLen) {
        this.fd = fd;
        this.features = params.get(JAVA_INT, 20);
        this.setupFlags = params.get(JAVA_INT, 8);
        this.sqRingAddr = sqRingAddr;
        this.sqRingLen = sqRingLen;
        this.cqRingAddr = cqRingAddr;
        this.cqRingLen = cqRingLen;
        this.sqesAddr = sqesAddr;
        this.sqesLen = sqesLen;
        this.sqRing = MemorySegment.ofAddress(sqRingAddr).reinterpret(sqRingLen);
        this.cqRing = MemorySegment.ofAddress(cqRingAddr).reinterpret(cqRingLen);
        this.sqes = MemorySegment.ofAddress(sqesAddr).reinterpret(sqesLen);
        long sqOff = 40;
        long cqOff = 80;
        this.sqHeadOff = params.get(JAVA_INT, sqOff);
        this.sqTailOff = params.get(JAVA_INT, sqOff + 4);
        this.sqMask = sqRing.get(JAVA_INT, params.get(JAVA_INT, sqOff + 8));
        this.sqEntries = sqRing.get(JAVA_INT, params.get(JAVA_INT, sqOff + 12));
        long arrayOff = params.get(JAVA_INT, sqOff + 24);
        this.cqHeadOff = params.get(JAVA_INT, cqOff);
        this.cqTailOff = params.get(JAVA_INT, cqOff + 4);
        this.cqMask = cqRing.get(JAVA_INT, params.get(JAVA_INT, cqOff + 8));
        this.cqEntries = cqRing.get(JAVA_INT, params.get(JAVA_INT, cqOff + 12));
        this.cqesOff = params.get(JAVA_INT, cqOff + 20);
        // SQEs are always used in ring order, so the indirection array is the identity (liburing does the same).
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(JAVA_INT, arrayOff + 4L * i, i);
        }
        this.sqTail = (int) INT_ACQ_REL.getAcquire(sqRing, sqTailOff);
        this.cqHead = (int) INT_ACQ_REL.getAcquire(cqRing, cqHeadOff);
    }

    /**
     * Sets up a ring with room for {@code entries} submissions (the kernel rounds up to a power of two and
     * clamps to its maximum) and maps it.
     *
     * @throws ErrnoException when the kernel refuses (ENOSYS: no io_uring; EPERM: disabled by policy)
     */
    static IoUring open(int entries) throws ErrnoException {
        return open(entries, 0);
    }

    /** As {@link #open(int)} with io_uring_setup {@code flags} ({@code SETUP_*}). */
    static IoUring open(int entries, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
            params.set(JAVA_INT, 8, flags);
            int fd = (int) Libc.check("io_uring_setup",
                    Libc.syscall(Libc.SYS_IO_URING_SETUP, entries, params.address()));
            try {
                int features = params.get(JAVA_INT, 20);
                if ((features & FEAT_SINGLE_MMAP) == 0 || (features & FEAT_NODROP) == 0) {
                    // Pre-5.5 kernels: separate mappings and droppable completions. Not worth a second code path.
                    throw new ErrnoException("io_uring_setup (kernel older than 5.5)", Errno.EOPNOTSUPP);
                }
                int sqEntries = params.get(JAVA_INT, 0);
                int cqEntries = params.get(JAVA_INT, 4);
                long sqArrayOff = params.get(JAVA_INT, 40 + 24);
                long cqesOff = params.get(JAVA_INT, 80 + 20);
                long ringLen = Math.max(sqArrayOff + 4L * sqEntries, cqesOff + (long) CQE_SIZE * cqEntries);
                long ring = Libc.check("mmap", Libc.mmap(0, ringLen, Libc.PROT_READ | Libc.PROT_WRITE,
                        Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, OFF_SQ_RING));
                long sqesLen = (long) SQE_SIZE * sqEntries;
                long sqesAddr = Libc.mmap(0, sqesLen, Libc.PROT_READ | Libc.PROT_WRITE,
                        Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, OFF_SQES);
                if (sqesAddr < 0) {
                    Libc.munmap(ring, ringLen);
                    Libc.check("mmap", sqesAddr);
                }
                // FEAT_SINGLE_MMAP: the CQ ring shares the SQ ring's mapping.
                return new IoUring(fd, params, ring, ringLen, ring, ringLen, sqesAddr, sqesLen);
            } catch (ErrnoException | RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        }
    }

    int fd() {
        return fd;
    }

    /** Whether the ring was set up with {@link #SETUP_R_DISABLED} and waits for REGISTER_ENABLE_RINGS. */
    boolean disabled() {
        return (setupFlags & SETUP_R_DISABLED) != 0;
    }

    int features() {
        return features;
    }

    int sqEntries() {
        return sqEntries;
    }

    int cqEntries() {
        return cqEntries;
    }

    /**
     * Claims the next free SQE, zeroed, and returns its handle for the {@code prep*} writers, or -1 when the
     * submission queue is full (submit first).
     */
    long sqe() {
        int head = (int) INT_ACQ_REL.getAcquire(sqRing, sqHeadOff);
        if (sqTail - head >= sqEntries) return -1;
        long off = (long) (sqTail & sqMask) * SQE_SIZE;
        sqTail++;
        toSubmit++;
        for (long i = 0; i < SQE_SIZE; i += 8) sqes.set(JAVA_LONG, off + i, 0L);
        return off;
    }

    /** SQEs filled and not yet submitted. */
    int pending() {
        return toSubmit;
    }

    /**
     * Publishes the filled SQEs and enters the kernel once: submits them and, if {@code waitFor > 0}, waits until
     * at least that many completions are ready. Returns the number submitted, or {@code -errno} (EINTR, EBUSY
     * and EAGAIN are transient: the caller reaps completions and tries again).
     */
    int submitAndWait(int waitFor) {
        INT_ACQ_REL.setRelease(sqRing, sqTailOff, sqTail);
        int n = toSubmit;
        // GETEVENTS even when not waiting: a DEFER_TASKRUN ring posts completions only when asked to.
        long r = Libc.syscall(Libc.SYS_IO_URING_ENTER, fd, n, waitFor, ENTER_GETEVENTS, 0L, 0L);
        if (r >= 0) toSubmit -= (int) r;
        return (int) r;
    }

    /** Completions ready to read. */
    int cqReady() {
        int tail = (int) INT_ACQ_REL.getAcquire(cqRing, cqTailOff);
        return tail - cqHead;
    }

    private long cqeOff(int i) {
        return cqesOff + (long) ((cqHead + i) & cqMask) * CQE_SIZE;
    }

    /** The user_data of the {@code i}-th ready completion. */
    long cqeUserData(int i) {
        return cqRing.get(JAVA_LONG, cqeOff(i));
    }

    int cqeRes(int i) {
        return cqRing.get(JAVA_INT, cqeOff(i) + 8);
    }

    int cqeFlags(int i) {
        return cqRing.get(JAVA_INT, cqeOff(i) + 12);
    }

    /** Hands {@code n} completions back to the kernel. */
    void cqAdvance(int n) {
        cqHead += n;
        INT_ACQ_REL.setRelease(cqRing, cqHeadOff, cqHead);
    }

    // SQE field writers (struct io_uring_sqe, 64 bytes); {@code sqe} is a handle from {@link #sqe}.
    void prep(long sqe, byte opcode, int fd, long addr, int len, long off, long userData) {
        sqes.set(JAVA_BYTE, sqe, opcode);
        sqes.set(JAVA_INT, sqe + 4, fd);
        sqes.set(JAVA_LONG, sqe + 8, off);
        sqes.set(JAVA_LONG, sqe + 16, addr);
        sqes.set(JAVA_INT, sqe + 24, len);
        sqes.set(JAVA_LONG, sqe + 32, userData);
    }

    /** The op-specific 32-bit flags word (msg_flags for SEND/RECV, accept4 flags for ACCEPT). */
    void opFlags(long sqe, int flags) {
        sqes.set(JAVA_INT, sqe + 28, flags);
    }

    void ioprio(long sqe, short ioprio) {
        sqes.set(JAVA_SHORT, sqe + 2, ioprio);
    }

    /** Receive into a buffer the kernel picks from group {@code group} (see {@link BufferRing}). */
    void selectBuffer(long sqe, short group) {
        sqes.set(JAVA_BYTE, sqe + 1, SQE_BUFFER_SELECT);
        sqes.set(JAVA_SHORT, sqe + 40, group);
    }

    /** io_uring_register(2); returns its result or {@code -errno}. */
    int register(int opcode, long arg, int count) {
        return (int) Libc.syscall(Libc.SYS_IO_URING_REGISTER, fd, opcode, arg, count);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.munmap(sqesAddr, sqesLen);
        Libc.munmap(sqRingAddr, sqRingLen);
        if (cqRingAddr != sqRingAddr) Libc.munmap(cqRingAddr, cqRingLen);
        Libc.close(fd);
    }
}
