package dev.polyserve.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.OptionalInt;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The native memory one loop thread reuses for every socket it serves: the read buffer handed to handlers, the
 * iovec array and staging area for gathering writes, and small scratch structs. Allocated once per loop, so
 * moving a message costs no Java allocation. Loop thread only.
 */
final class NativeIo {
    /** Read buffer: 64 KiB takes a full burst of TCP segments in one recv, like the nio engine. */
    static final int READ_BUFFER = 64 * 1024;
    /** Heap buffers are copied here before writev: 256 KiB covers the default socket send buffer. */
    static final int STAGING = 256 * 1024;
    /** Entries in the iovec array: ConnBase gathers at most this many buffers per write. */
    static final int MAX_IOV = dev.polyserve.core.engine.ConnBase.MAX_GATHER;
    /** sendfile(2) moves at most 0x7ffff000 bytes per call on Linux. */
    static final long SENDFILE_MAX = 0x7ffff000L;

    /** Freed by the GC with the loop: connections closing during shutdown may still use it after the loop ends. */
    private final Arena arena = Arena.ofAuto();
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    final long readAddress = MemorySegment.ofBuffer(readBuffer).address();
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING);
    private final long stagingAddress = MemorySegment.ofBuffer(staging).address();
    private final MemorySegment iov = arena.allocate(16L * MAX_IOV, 8);
    private final MemorySegment offset = arena.allocate(JAVA_LONG);
    private final MemorySegment sockaddr = arena.allocate(SockAddr.STORAGE, 8);
    private final MemorySegment sockaddrLen = arena.allocate(JAVA_INT);
    private final MemorySegment linger = arena.allocate(8, 4);
    private boolean transferShort;

    /** Points the scratch sockaddr length at its full size; call before accept4/getsockname. */
    long sockaddr() {
        sockaddrLen.set(JAVA_INT, 0, SockAddr.STORAGE);
        return sockaddr.address();
    }

    long sockaddrLen() {
        return sockaddrLen.address();
    }

    java.net.InetSocketAddress decodeSockaddr() {
        return SockAddr.decode(sockaddr);
    }

    /**
     * Writes {@code bufs[0..count)} to {@code fd} with one send(2) or writev(2) and advances the buffers past the
     * bytes the kernel took. Direct buffers are written in place; heap buffers are staged. Returns the bytes
     * written, 0 if the socket would block, or {@code -errno}.
     */
    long write(int fd, ByteBuffer[] bufs, int count) {
        int iovs = 0;
        int staged = 0;
        for (int i = 0; i < count && iovs < MAX_IOV; i++) {
            ByteBuffer b = bufs[i];
            int len = b.remaining();
            if (len == 0) continue;
            long addr;
            if (b.isDirect()) {
                addr = MemorySegment.ofBuffer(b).address();
            } else {
                len = Math.min(len, STAGING - staged);
                if (len == 0) break;
                staging.put(staged, b, b.position(), len);
                addr = stagingAddress + staged;
                staged += len;
            }
            iov.set(JAVA_LONG, iovs * 16L, addr);
            iov.set(JAVA_LONG, iovs * 16L + 8, len);
            iovs++;
            if (len < b.remaining()) break; // staging full: the rest goes next time, in order
        }
        if (iovs == 0) return 0;
        long n = iovs == 1
                ? Libc.send(fd, iov.get(JAVA_LONG, 0), iov.get(JAVA_LONG, 8), Libc.MSG_NOSIGNAL)
                : Libc.writev(fd, iov.address(), iovs);
        if (n == -Errno.EAGAIN) return 0;
        if (n <= 0) return n;
        long left = n;
        for (int i = 0; i < count && left > 0; i++) {
            ByteBuffer b = bufs[i];
            int take = (int) Math.min(left, b.remaining());
            b.position(b.position() + take);
            left -= take;
        }
        return n;
    }

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code position}: sendfile(2) when the channel's
     * descriptor is reachable (the page cache goes straight to the socket), else a positional read into the
     * staging buffer and send(2). Returns bytes sent, 0 if the socket would block (or the file ended), or
     * {@code -errno}.
     */
    long transfer(int fd, FileChannel file, long position, long count) throws java.io.IOException {
        transferShort = false;
        OptionalInt in = FileDescriptors.of(file);
        if (in.isPresent()) {
            offset.set(JAVA_LONG, 0, position);
            long offered = Math.min(count, SENDFILE_MAX);
            long n = Libc.sendfile(fd, in.getAsInt(), offset.address(), offered);
            transferShort = n > 0 && n < offered;
            return n == -Errno.EAGAIN ? 0 : n;
        }
        int len = (int) Math.min(count, STAGING);
        int read = file.read(staging.clear().limit(len), position);
        staging.clear();
        if (read <= 0) return 0;
        long n = Libc.send(fd, stagingAddress, read, Libc.MSG_NOSIGNAL);
        transferShort = n > 0 && n < read;
        return n == -Errno.EAGAIN ? 0 : n;
    }

    /**
     * The last {@link #transfer} took fewer bytes than it offered the socket: the socket filled, or (sendfile only)
     * the file ended before the offered count.
     */
    boolean transferShort() {
        return transferShort;
    }

    /** Disables Nagle's algorithm: an echo or chat line leaves now, not after the peer's delayed ACK. */
    int noDelay(int fd) {
        linger.set(JAVA_INT, 0, 1);
        return Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, linger.address(), 4);
    }

    /** The local address of a connected socket. */
    java.net.InetSocketAddress localAddress(int fd) throws ErrnoException {
        Libc.check("getsockname", Libc.getsockname(fd, sockaddr(), sockaddrLen()));
        return decodeSockaddr();
    }

    /** The peer address of a connected socket. */
    java.net.InetSocketAddress remoteAddress(int fd) throws ErrnoException {
        Libc.check("getpeername", Libc.getpeername(fd, sockaddr(), sockaddrLen()));
        return decodeSockaddr();
    }

    /** Best-effort send of a short refusal message to a socket about to be closed; never blocks. */
    void sendQuietly(int fd, byte[] bytes) {
        int len = Math.min(bytes.length, STAGING);
        staging.put(0, bytes, 0, len);
        Libc.send(fd, stagingAddress, len, Libc.MSG_NOSIGNAL | Libc.MSG_DONTWAIT);
    }

    /**
     * Sends {@code refusal} (best effort, if any) and shuts {@code fd} down both ways, leaving the descriptor open: a
     * refused connection whose descriptor becomes the engine's spare (see SpareDescriptor).
     */
    void refuseAndShutDown(int fd, byte[] refusal) {
        if (refusal != null) sendQuietly(fd, refusal);
        Libc.shutdown(fd, Libc.SHUT_RDWR);
    }

    /** Closes {@code fd}; with {@code reset}, SO_LINGER 0 first so the peer gets a TCP RST instead of a FIN. */
    void close(int fd, boolean reset) {
        if (reset) {
            linger.set(JAVA_INT, 0, 1);
            linger.set(JAVA_INT, 4, 0);
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_LINGER, linger.address(), 8);
        }
        Libc.close(fd);
    }
}
