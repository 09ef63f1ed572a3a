package dev.polyserve.services.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client address, capped (see {@link HttpLimits#DEFAULT_MAX_PER_ADDRESS}). Thread-safe: the
 * connections of one address may sit on different loops. An address's entry goes when its last connection does.
 */
final class AddressLimit {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /** {@code max} connections per address; 0 for no cap (nothing is counted). */
    AddressLimit(int max) {
        this.max = max;
    }

    /** Counts a new connection from {@code remote}; false (and not counted) when its address is at the cap. */
    boolean admit(SocketAddress remote) {
        InetAddress a = addressOf(remote);
        if (max == 0 || a == null) return true;
        boolean[] ok = {false};
        open.compute(a, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= max) return n;
            ok[0] = true;
            return count + 1;
        });
        return ok[0];
    }

    /** Uncounts a connection {@link #admit} accepted. */
    void release(SocketAddress remote) {
        InetAddress a = addressOf(remote);
        if (max == 0 || a == null) return;
        open.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
    }

    int max() {
        return max;
    }

    /** Connections counted for {@code a}, for tests. */
    int openFrom(InetAddress a) {
        return open.getOrDefault(a, 0);
    }

    private static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }
}
