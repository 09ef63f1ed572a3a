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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

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

    /**
     * Listeners starting at once, across all sessions. A start (a {@link Server} of the control connection's model:
     * its threads and selectors or rings, and the bind) takes milliseconds; when a burst of 200 sessions asked for
     * passive mode together, their starts ran one at a time under this object's lock, and every other session's
     * PASV/EPSV (and the event loop it ran on) waited behind them. Starts run outside the lock now, this many at
     * once: enough to keep both cores busy starting, few enough that a burst does not create hundreds of engines'
     * threads in the same instant.
     */
    static final int MAX_PARALLEL_STARTS = 4;

    /** {@link #leaseRunning}'s answer when no running listener can take the lease. */
    private static final int NONE = -2;

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
    /** Ports whose listener is being started (outside the lock) for the lease it will carry. */
    private final Set<Integer> starting = new HashSet<>();
    private final Semaphore starts = new Semaphore(MAX_PARALLEL_STARTS);
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
     * May start a listener (outside this object's lock, so other sessions' PASV/EPSV go on meanwhile).
     *
     * @return the port, or -1 if every port in the range is leased or cannot be bound
     */
    int lease(InetAddress bind, String model, InetAddress peer, DataLink link, int setUp) {
        synchronized (this) {
            int port = leaseRunning(bind, model, peer, link, setUp);
            if (port != NONE) return port;
        }
        try {
            starts.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        try {
            for (int attempt = 0; attempt < range.size(); attempt++) {
                int port;
                synchronized (this) {
                    // While this session waited for its turn to start one, another's start may have freed a listener.
                    int ready = leaseRunning(bind, model, peer, link, setUp);
                    if (ready != NONE) return ready;
                    port = reserveUnstarted();
                    if (port < 0) return leaseAnyway(bind, model, peer, link, setUp);
                }
                Server s = null;
                try {
                    s = Server.tcp(port).host(bind.getHostAddress()).model(model).stats(stats)
                            .idleTimeout(dataTimeout).service(dataService).start();
                    FtpService.LOG.debug("passive data listener on {}:{} ({})", bind.getHostAddress(), port, model);
                } catch (IOException e) {
                    FtpService.LOG.debug("passive port {} unavailable: {}", port, e.toString());
                }
                synchronized (this) {
                    starting.remove(port);
                    if (s != null && !closed) {
                        listeners.put(port, new Listener(s, bind));
                        return take(port, peer, link, setUp);
                    }
                }
                if (s != null) { // closed while it started
                    s.stop(STOP_GRACE);
                    return -1;
                }
            }
            synchronized (this) {
                return leaseAnyway(bind, model, peer, link, setUp);
            }
        } finally {
            starts.release();
        }
    }

    /**
     * A running listener with no lease on it for {@code bind} and {@code model}, leased: one with no transfer open
     * preferred, then the one with the fewest below {@link #TRANSFERS_PER_LISTENER}.
     *
     * @return its port; -1 when closed; {@link #NONE} when a new listener should be started
     */
    private int leaseRunning(InetAddress bind, String model, InetAddress peer, DataLink link, int setUp) {
        if (closed) return -1;
        long now = System.nanoTime();
        restingUntil.values().removeIf(until -> until - now <= 0);
        int light = -1;
        for (var e : listeners.entrySet()) {
            int port = e.getKey();
            if (!leasable(port, e.getValue(), bind, model) || restingUntil.containsKey(port)) continue;
            int n = open.getOrDefault(port, 0);
            if (n == 0) return take(port, peer, link, setUp);
            if (n < TRANSFERS_PER_LISTENER && (light < 0 || n < open.getOrDefault(light, 0))) light = port;
        }
        return light >= 0 ? take(light, peer, link, setUp) : NONE;
    }

    /**
     * When no new listener can start: the port resting longest (its rest cut short, rather than refuse: a client
     * repeating PASV without connecting would otherwise exhaust the range for everyone), else the least busy one.
     *
     * @return its port, or -1 if every port is leased (or closed)
     */
    private int leaseAnyway(InetAddress bind, String model, InetAddress peer, DataLink link, int setUp) {
        if (closed) return -1;
        int resting = -1;
        int busy = -1;
        for (var e : listeners.entrySet()) {
            int port = e.getKey();
            if (!leasable(port, e.getValue(), bind, model)) continue;
            if (restingUntil.containsKey(port)) {
                if (resting < 0 || restingUntil.get(port) - restingUntil.get(resting) < 0) resting = port;
            } else if (busy < 0 || open.getOrDefault(port, 0) < open.getOrDefault(busy, 0)) {
                busy = port;
            }
        }
        if (resting >= 0) {
            restingUntil.remove(resting);
            return take(resting, peer, link, setUp);
        }
        return busy >= 0 ? take(busy, peer, link, setUp) : -1;
    }

    private boolean leasable(int port, Listener l, InetAddress bind, String model) {
        return !leases.containsKey(port) && l.bind().equals(bind) && l.server().config().model().equals(model);
    }

    /** The next port of the range with no listener and none starting, marked as starting; -1 if none. */
    private int reserveUnstarted() {
        for (int i = 0; i < range.size(); i++) {
            int index = (cursor + i) % range.size();
            int port = range.port(index);
            if (listeners.containsKey(port) || starting.contains(port)) continue;
            starting.add(port);
            cursor = (index + 1) % range.size();
            return port;
        }
        return -1;
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
