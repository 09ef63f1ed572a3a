package dev.polyserve.services.ftp;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/** Counts open control connections per client address against a cap. Thread-safe. */
final class PerIpLimit {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    PerIpLimit(int max) {
        this.max = max;
    }

    /** Takes a slot for {@code addr}; false if it already holds {@code max}. */
    boolean tryAcquire(InetAddress addr) {
        boolean[] ok = {false};
        open.compute(addr, (a, n) -> {
            int cur = n == null ? 0 : n;
            if (cur >= max) return n;
            ok[0] = true;
            return cur + 1;
        });
        return ok[0];
    }

    void release(InetAddress addr) {
        open.computeIfPresent(addr, (a, n) -> n <= 1 ? null : n - 1);
    }

    int open(InetAddress addr) {
        return open.getOrDefault(addr, 0);
    }
}
