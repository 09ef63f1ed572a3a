package dev.polyserve.core.udp;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** A protocol served over UDP: one optional reply per datagram. Implementations must be thread-safe. */
@FunctionalInterface
public interface DatagramService {

    /** The reply to send back to {@code from}, or null for none. {@code datagram} is valid during the call only. */
    ByteBuffer reply(ByteBuffer datagram, SocketAddress from);
}
