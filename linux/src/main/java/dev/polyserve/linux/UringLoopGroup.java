package dev.polyserve.linux;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loops of one {@code uring} engine, taking accepted connections in turn. The kernel does not spread them:
 * a multishot accept's wait on the listening socket is exclusive and stays at the head of the socket's wait queue,
 * so the ring armed first is woken for every new client (and with deferred task running completes the accept only
 * when its thread next enters the ring, however busy that thread is). Without this every connection of a burst
 * landed on one ring and a CPU-heavy handler kept one core busy on a 2-core machine (issue #18).
 */
final class UringLoopGroup {
    private volatile UringLoop[] loops = new UringLoop[0];
    private final AtomicInteger turn = new AtomicInteger();

    /** Called by the engine as each loop starts. */
    synchronized void add(UringLoop loop) {
        UringLoop[] grown = Arrays.copyOf(loops, loops.length + 1);
        grown[loops.length] = loop;
        loops = grown;
    }

    /** The loop whose turn it is to take a connection, or null before any loop has been added. Any thread. */
    UringLoop next() {
        UringLoop[] current = loops;
        return current.length == 0 ? null : current[Math.floorMod(turn.getAndIncrement(), current.length)];
    }
}
