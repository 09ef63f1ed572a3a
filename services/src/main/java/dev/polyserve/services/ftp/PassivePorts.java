package dev.polyserve.services.ftp;

import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import dev.polyserve.core.tls.TlsService;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The passive data listeners and who may connect to each.
 *
 * <p>Design: the handler API has no "accept one more socket on this engine", so each passive port gets its
 * own {@link Server} running the <em>same model</em> as the control connection that first asked for it, with
 * that model's own defaults (loops per core, pool size). Listeners start on first use and stay up until the
 * service closes, so a busy server pays the start-up once per port, not once per transfer. A port is leased
 * to one session between PASV and the data connection's arrival; the arriving connection is matched by port
 * and must come from the control connection's address (anything else is logged and dropped, and the lease
 * stays for the rightful client: no data connection stealing). A running listener with no transfer on it is
 * preferred, then one carrying fewer than {@link #TRANSFERS_PER_LISTENER}, then a new listener, then any: so
 * a quiet server runs one or two listeners and 200 concurrent transfers need about a dozen, spread so that
 * no single loop carries them all.
 */
final class PassivePorts implements AutoCloseable {
    /** Shutdown grace for data listeners: transfers are aborted with their control connections anyway. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    /**
     * A port whose lease was given back unused rests this long before it is leased again. The client may have
     * connected for the abandoned set-up (curl and Commons Net connect before sending the command that then
     * failed), and that connection can still sit in the accept queue: while the port rests it is dropped as
     * stale instead of taking the next lease, which would steal the next transfer's data connection. Resting
     * ports are still leased, earliest first, when no other port is free.
     */
    static final Duration REST_AFTER_UNUSED_LEASE = Duration.ofSeconds(2);

    /**
     * Transfers a listener takes before a new port is opened: enough to keep thread counts low (a loop
     * engine's listener has an accept thread and a loop per core), few enough that 200 concurrent transfers
     * spread over about a dozen listeners rather than one loop.
     */
    static final int TRANSFERS_PER_LISTENER = 16;

    private record Lease(InetAddress peer, DataLink link, int setUp) {}

    /** A claimed data connection: the link it belongs to and which of its PASV/EPSV set-ups it answers. */
    record Claim(DataLink link, int setUp) {}

    private record Listener(Server server, InetAddress bind) {}

    private final PortRange range;
    /** What every listener serves: {@link DataHandler}s, behind a TLS layer that PROT P switches on (FTPS). */
    private final Service dataService;
    /** A data connection that moves nothing for this long is aborted: its transfer ends with 426. */
    private final Duration dataTimeout;
    private final Map<Integer, Listener> listeners = new HashMap<>();
    private final Map<Integer, Lease> leases = new HashMap<>();
    /** Ports resting after an unused lease: System.nanoTime() when they may be leased again. */
    private final Map<Integer, Long> restingUntil = new HashMap<>();
    /** Data connections open per port. */
    private final Map<Integer, Integer> open = new HashMap<>();
    private int cursor;
    private boolean closed;

    /** Every data listener's counters together: the transfers' connections and bytes (for a dashboard). */
    final ServerStats stats = new ServerStats();

    PassivePorts(PortRange range, Duration dataTimeout, FtpTls tls) {
        this.range = range;
        this.dataTimeout = dataTimeout;
        Service plain = () -> new DataHandler(this);
        // One listener serves PROT P and PROT C sessions alike: the layer stays plaintext (sendfile and all) until a
        // DataHandler starts TLS for a PROT P session.
        this.dataService = tls == null ? plain
                : TlsService.startLater(plain, tls.context(), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT);
    }

    /**
     * Leases a port whose listener binds {@code bind} and runs {@code model}, for a connection from {@code peer}.
     *
     * @return the port, or -1 if every port in the range is leased or cannot be bound
     */
    synchronized int lease(InetAddress bind, String model, InetAddress peer, DataLink link, int setUp) {
        if (closed) return -1;
        long now = System.nanoTime();
        restingUntil.values().removeIf(until -> until - now <= 0);
        int light = -1;
        int busy = -1;
        int resting = -1;
        for (var e : listeners.entrySet()) {
            int port = e.getKey();
            if (leases.containsKey(port) || !e.getValue().bind().equals(bind)
                    || !e.getValue().server().config().model().equals(model)) {
                continue;
            }
            if (restingUntil.containsKey(port)) {
                if (resting < 0 || restingUntil.get(port) - restingUntil.get(resting) < 0) resting = port;
                continue;
            }
            int n = open.getOrDefault(port, 0);
            if (n == 0) return take(port, peer, link, setUp);
            if (n < TRANSFERS_PER_LISTENER && (light < 0 || n < open.getOrDefault(light, 0))) light = port;
            if (busy < 0 || n < open.getOrDefault(busy, 0)) busy = port;
        }
        if (light >= 0) return take(light, peer, link, setUp);
        for (int i = 0; i < range.size(); i++) {
            int port = range.port((cursor + i) % range.size());
            if (listeners.containsKey(port)) continue;
            try {
                Server s = Server.tcp(port).host(bind.getHostAddress()).model(model).stats(stats)
                        .idleTimeout(dataTimeout).service(dataService).start();
                listeners.put(port, new Listener(s, bind));
                cursor = (cursor + i + 1) % range.size();
                FtpService.LOG.debug("passive data listener on {}:{} ({})", bind.getHostAddress(), port, model);
                return take(port, peer, link, setUp);
            } catch (IOException e) {
                FtpService.LOG.debug("passive port {} unavailable: {}", port, e.toString());
            }
        }
        if (resting >= 0) {
            // Every port is in use: cut the rest short rather than refuse (a client repeating PASV without
            // connecting would otherwise exhaust the range for everyone).
            restingUntil.remove(resting);
            return take(resting, peer, link, setUp);
        }
        return busy >= 0 ? take(busy, peer, link, setUp) : -1;
    }

    private int take(int port, InetAddress peer, DataLink link, int setUp) {
        leases.put(port, new Lease(peer, link, setUp));
        return port;
    }

    /** A data connection handed out by {@link #claim} closed. */
    synchronized void closed(int port) {
        open.computeIfPresent(port, (p, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Takes the lease for a data connection that arrived on {@code port} from {@code peer}.
     *
     * @return the link it belongs to, or null (logged) if nobody expects it from there
     */
    synchronized Claim claim(int port, InetAddress peer) {
        Lease l = leases.get(port);
        if (l == null && restingUntil.containsKey(port)) {
            FtpService.LOG.debug("stale data connection to port {} from {} dropped", port, peer.getHostAddress());
            return null;
        }
        if (l == null) {
            FtpService.LOG.warn("data connection to port {} from {} refused: no PASV is waiting", port, peer.getHostAddress());
            return null;
        }
        if (!l.peer().equals(peer)) {
            FtpService.LOG.warn("data connection to port {} from {} refused: PASV was for {}", port,
                    peer.getHostAddress(), l.peer().getHostAddress());
            return null;
        }
        leases.remove(port);
        open.merge(port, 1, Integer::sum);
        return new Claim(l.link(), l.setUp());
    }

    /** Gives back {@code link}'s unused lease of {@code port}. */
    synchronized void release(int port, DataLink link) {
        Lease l = leases.get(port);
        if (l != null && l.link() == link) {
            leases.remove(port);
            restingUntil.put(port, System.nanoTime() + REST_AFTER_UNUSED_LEASE.toNanos());
        }
    }

    @Override
    public void close() {
        List<Listener> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(listeners.values());
            listeners.clear();
            leases.clear();
        }
        for (Listener l : all) l.server().stop(STOP_GRACE);
    }
}
