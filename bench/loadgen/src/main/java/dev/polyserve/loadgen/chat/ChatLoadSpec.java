package dev.polyserve.loadgen.chat;

import dev.polyserve.core.auth.HmacKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One chat load run.
 *
 * @param servers       the chat servers (lines protocol): one, or the nodes of one room (members are dealt over them in turn)
 * @param clients       members that join and all talk at once
 * @param messages      lines each member sends
 * @param ratePerClient lines per second each member sends, on a fixed schedule; 0 = as fast as the socket takes them
 * @param drainTimeout  how long to wait, after the last line is sent, for every delivery to arrive
 * @param authKey       answer the server's HMAC gate with this key, if set
 * @param serverPids    charge these process trees' CPU time to the run (none: not measured)
 * @param webSocketPath members join through the browser page's WebSocket at this path instead of TCP lines (null: TCP)
 */
public record ChatLoadSpec(List<InetSocketAddress> servers, int clients, int messages, double ratePerClient,
                           Duration drainTimeout, HmacKey authKey, List<Long> serverPids, String webSocketPath) {

    /** The load: 100 members x 1,000 lines. */
    public static final int DEFAULT_CLIENTS = 100;
    public static final int DEFAULT_MESSAGES = 1000;

    /**
     * Default send rate: 50 lines/s per member, 5,000 lines/s into the room and 495,000 deliveries/s out of it
     * with 100 members: heavy fan-out, yet a 2-core machine can keep up. Unpaced sending measures mostly how
     * fast the room drops members that cannot keep up.
     */
    public static final double DEFAULT_RATE_PER_CLIENT = 50;

    /** Default wait for stragglers after the last send: long enough for any backlog a non-dropped member can have. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public ChatLoadSpec {
        servers = List.copyOf(servers);
        serverPids = List.copyOf(serverPids);
        if (servers.isEmpty()) throw new IllegalArgumentException("a chat load needs a server");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (clients < 2) throw new IllegalArgumentException("a chat load needs at least 2 clients");
        if (clients > 9999) throw new IllegalArgumentException("at most 9999 clients (names are bench-NNNN)");
        if (messages < 1) throw new IllegalArgumentException("each client sends at least 1 message");
        if (ratePerClient < 0 || Double.isNaN(ratePerClient)) throw new IllegalArgumentException("rate must be 0 (unpaced) or positive");
    }

    /** One server, its CPU measured if {@code serverPid} is set. */
    public ChatLoadSpec(InetSocketAddress server, int clients, int messages, double ratePerClient, Duration drainTimeout,
                        HmacKey authKey, OptionalLong serverPid) {
        this(List.of(server), clients, messages, ratePerClient, drainTimeout, authKey,
                serverPid.isPresent() ? List.of(serverPid.getAsLong()) : List.of(), null);
    }

    /** The same load through the page's WebSocket at {@code path} (e.g. {@code /ws}). */
    public ChatLoadSpec overWebSocket(String path) {
        return new ChatLoadSpec(servers, clients, messages, ratePerClient, drainTimeout, authKey, serverPids, path);
    }

    long expectedDeliveries() {
        return (long) clients * messages * (clients - 1);
    }
}
