package dev.polyserve.loadgen;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What one echo load run does: how many connections, what message size, how many messages each
 * connection keeps in flight, for how long, and which server process to charge CPU time to.
 *
 * @param target         the echo server
 * @param connections    concurrent connections, each an independent closed loop
 * @param messageSize    bytes per message; the echo of all of them completes one message
 * @param pipelineDepth  messages each connection keeps outstanding (1 = strict request/response)
 * @param warmup         load runs but nothing is recorded (lets both JITs settle)
 * @param duration       the measured window
 * @param connectTimeout how long the run waits for all connections before it starts with those it has
 * @param loops          client Selector threads (one per core by default)
 * @param serverPid      the server's process id, for CPU accounting of its process tree
 * @param messagesPerConnection after this many echoes a connection is closed and a new one opened
 *                       (0 = connections stay open); 1 measures connection set-up cost per model
 */
public record EchoLoadSpec(
        InetSocketAddress target,
        int connections,
        int messageSize,
        int pipelineDepth,
        Duration warmup,
        Duration duration,
        Duration connectTimeout,
        int loops,
        OptionalLong serverPid,
        int messagesPerConnection) {

    /**
     * One client address has at most 64K ephemeral ports towards one server port (Linux's default
     * range, 32768-60999, gives 28,232); beyond that connects fail with EADDRNOTAVAIL anyway.
     */
    public static final int MAX_CONNECTIONS = 60_000;
    /** Each loop keeps one shared payload window of a few messages; 16 MiB keeps that window in the tens of MiB. */
    public static final int MAX_MESSAGE_SIZE = 16 << 20;
    /** Deeper pipelines only measure kernel socket buffers, not the server. */
    public static final int MAX_PIPELINE_DEPTH = 1024;
    /** A short warm-up lets the server's and this client's JIT compile the hot path before recording. */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(1);
    /**
     * Long enough for 10,000 connects through a 4096-deep accept queue, with a SYN retransmission
     * (1 s, then 3 s) when a queue overflows; a server that accepts one client at a time (the
     * iterative model) leaves the rest pending and the run starts with the connected ones after this.
     */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public EchoLoadSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(serverPid, "serverPid");
        requireRange("connections", connections, 1, MAX_CONNECTIONS);
        requireRange("message size", messageSize, 1, MAX_MESSAGE_SIZE);
        requireRange("pipeline depth", pipelineDepth, 1, MAX_PIPELINE_DEPTH);
        requireRange("loops", loops, 1, connections);
        requireRange("messages per connection", messagesPerConnection, 0, Integer.MAX_VALUE);
        if (warmup.isNegative()) throw new IllegalArgumentException("warm-up must not be negative: " + warmup);
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("duration must be positive: " + duration);
        if (connectTimeout.isNegative()) throw new IllegalArgumentException("connect timeout must not be negative: " + connectTimeout);
    }

    /** A spec with the defaults: depth 1, the default warm-up and connect timeout, one loop per core, no server PID. */
    public static EchoLoadSpec of(InetSocketAddress target, int connections, int messageSize, Duration duration) {
        return new EchoLoadSpec(target, connections, messageSize, 1, DEFAULT_WARMUP, duration,
                DEFAULT_CONNECT_TIMEOUT, defaultLoops(connections), OptionalLong.empty(), 0);
    }

    /** One Selector loop per core, but never more loops than connections. */
    public static int defaultLoops(int connections) {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), connections));
    }

    public EchoLoadSpec withPipelineDepth(int depth) {
        return new EchoLoadSpec(target, connections, messageSize, depth, warmup, duration, connectTimeout, loops, serverPid, messagesPerConnection);
    }

    public EchoLoadSpec withWarmup(Duration newWarmup) {
        return new EchoLoadSpec(target, connections, messageSize, pipelineDepth, newWarmup, duration, connectTimeout, loops, serverPid, messagesPerConnection);
    }

    public EchoLoadSpec withLoops(int newLoops) {
        return new EchoLoadSpec(target, connections, messageSize, pipelineDepth, warmup, duration, connectTimeout, newLoops, serverPid, messagesPerConnection);
    }

    public EchoLoadSpec withServerPid(long pid) {
        return new EchoLoadSpec(target, connections, messageSize, pipelineDepth, warmup, duration, connectTimeout, loops, OptionalLong.of(pid), messagesPerConnection);
    }

    public EchoLoadSpec withMessagesPerConnection(int messages) {
        return new EchoLoadSpec(target, connections, messageSize, pipelineDepth, warmup, duration, connectTimeout, loops, serverPid, messages);
    }

    private static void requireRange(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", not " + value);
        }
    }
}
