package dev.polyserve.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/** Encodes and decodes C {@code sockaddr_in} / {@code sockaddr_in6} (ports in network byte order). */
final class SockAddr {
    /** sizeof(struct sockaddr_storage): room for any family. */
    static final int STORAGE = 128;
    static final int IN_LEN = 16;
    static final int IN6_LEN = 28;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;

    private SockAddr() {}

    static int family(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET;
    }

    /** Writes {@code a} at the start of {@code out} and returns its length. */
    static int encode(InetSocketAddress a, MemorySegment out) {
        InetAddress ip = a.getAddress();
        if (ip == null) throw new IllegalArgumentException("unresolved address " + a);
        out.asSlice(0, STORAGE).fill((byte) 0);
        byte[] raw = ip.getAddress();
        if (ip instanceof Inet4Address) {
            out.set(FAMILY, 0, (short) Libc.AF_INET);
            out.set(PORT, 2, (short) a.getPort());
            MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, 4, 4);
            return IN_LEN;
        }
        out.set(FAMILY, 0, (short) Libc.AF_INET6);
        out.set(PORT, 2, (short) a.getPort());
        MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, 8, 16);
        out.set(ValueLayout.JAVA_INT_UNALIGNED, 24, ((Inet6Address) ip).getScopeId());
        return IN6_LEN;
    }

    static InetSocketAddress decode(MemorySegment in) {
        int family = in.get(FAMILY, 0);
        int port = Short.toUnsignedInt(in.get(PORT, 2));
        try {
            if (family == Libc.AF_INET) {
                byte[] raw = new byte[4];
                MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 4, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == Libc.AF_INET6) {
                byte[] raw = new byte[16];
                MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 8, raw, 0, 16);
                int scope = in.get(ValueLayout.JAVA_INT_UNALIGNED, 24);
                InetAddress ip = scope == 0 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, scope);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("raw address of fixed length was refused", e);
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }
}
