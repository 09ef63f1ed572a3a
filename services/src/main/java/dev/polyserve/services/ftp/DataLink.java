package dev.polyserve.services.ftp;

import dev.polyserve.core.Conn;
import dev.polyserve.core.tls.TlsConn;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * The data side of one control connection: the passive port it leased or the active address it was given,
 * the data connection once it arrived, and the transfer running over it. A transfer may be started before
 * the passive connection arrives (the usual order for some clients) or after (curl and Commons Net connect
 * first), so whichever comes second starts it.
 *
 * <p>Called from the control connection's thread and from data connections' threads, hence synchronized;
 * results go back to the control thread through {@link ControlHandler#transferDone}.
 */
final class DataLink {
    private final FtpService service;
    private final Conn control;
    private final ControlHandler owner;

    private int leasedPort = -1;
    private InetSocketAddress activeTarget;
    /** A passive connection that arrived before its transfer. */
    private DataHandler idle;
    /** A transfer waiting for its passive connection. */
    private Transfer pending;
    private ScheduledFuture<?> connectTimeout;
    /** Whoever runs the current transfer: a {@link DataHandler} or an {@link ActiveTransfer}. */
    private Object running;
    private boolean closed;
    /**
     * Counts data set-ups (PASV, EPSV, PORT, EPRT). A passive connection answers the set-up that leased its
     * port; one that arrives after the session moved on (the client gave up on it after a failed command)
     * is stale and dropped, so it can never take a later transfer.
     */
    private int setUp;
    /** PROT P: data connections set up from now on speak TLS. */
    private boolean protect;
    /**
     * The data connection of the current set-up was refused (its TLS failed or did not resume the control session)
     * before its transfer was asked for: that transfer ends with 522 at once.
     */
    private String refused;
    /**
     * The passive connection of the current set-up came and went before its transfer was asked for (the engine saw
     * the client's reset while the connection waited unread): that transfer ends with 426 at once, since its lease is
     * spent and no other connection will come for it.
     */
    private boolean lostBeforeTransfer;
    /** This session's bandwidth limits (its own and the server's), one per direction. */
    final Throttle download;
    final Throttle upload;

    DataLink(FtpService service, Conn control, ControlHandler owner) {
        this.service = service;
        this.control = control;
        this.owner = owner;
        this.download = service.downloadThrottle();
        this.upload = service.uploadThrottle();
    }

    /** The limits {@code t} obeys: listings none, files their direction's. */
    Throttle throttleFor(Transfer t) {
        return switch (t) {
            case Transfer.SendFile s -> download;
            case Transfer.SendBytes b -> Throttle.NONE;
            case Transfer.Receive r -> upload;
        };
    }

    synchronized int openPassive() {
        reset();
        InetAddress bind = ((InetSocketAddress) control.local()).getAddress();
        InetAddress peer = ((InetSocketAddress) control.remote()).getAddress();
        leasedPort = service.passivePorts.lease(bind, control.model(), peer, this, setUp);
        return leasedPort;
    }

    synchronized void openActive(InetSocketAddress target) {
        reset();
        activeTarget = target;
    }

    synchronized void protectData(boolean on) {
        protect = on;
    }

    /** Whether a data connection arriving now must speak TLS (PROT P). */
    synchronized boolean protectsData() {
        return protect;
    }

    /** A server-side engine for a PROT P data connection from {@code peer}. */
    SSLEngine newDataEngine(InetSocketAddress peer) {
        return service.tls.context().newServerEngine(peer);
    }

    /**
     * Why a PROT P data connection whose handshake ended with {@code data} must be refused, or null when it may carry
     * the transfer: under {@link FtpTls#requireSessionReuse} it must have resumed the control connection's session.
     */
    String sessionRefusal(SSLSession data) {
        if (!service.tls.requireSessionReuse()) return null;
        if (FtpTls.resumed(data, FtpTls.markOf((TlsConn) control))) return null;
        return "it did not resume the control connection's TLS session (session reuse required)";
    }

    /**
     * The PROT P data connection for set-up {@code forSetUp} was refused ({@code reason}: its handshake failed, or it
     * did not resume the control session). Its transfer, waiting or still to come, ends with 522.
     */
    synchronized void refuse(int forSetUp, String reason) {
        if (closed || forSetUp != setUp) return;
        leasedPort = -1;
        if (pending != null) {
            Transfer t = pending;
            pending = null;
            if (connectTimeout != null) connectTimeout.cancel(false);
            t.discard();
            owner.transferDone(new TransferResult.TlsRefused(reason));
        } else {
            refused = reason;
        }
    }

    /** Forgets the earlier set-up: its lease goes back and an unused data connection is dropped. */
    private void reset() {
        setUp++;
        refused = null;
        lostBeforeTransfer = false;
        if (leasedPort >= 0) service.passivePorts.release(leasedPort, this);
        leasedPort = -1;
        activeTarget = null;
        if (idle != null) {
            idle.drop();
            idle = null;
        }
    }

    /**
     * A passive data connection for set-up {@code forSetUp} of this link arrived (its lease is consumed).
     *
     * @return false if the link no longer wants it (the caller drops the connection)
     */
    synchronized boolean attach(DataHandler h, int forSetUp) {
        if (closed || forSetUp != setUp) return false;
        leasedPort = -1;
        if (pending != null) {
            Transfer t = pending;
            pending = null;
            if (connectTimeout != null) connectTimeout.cancel(false);
            running = h;
            h.begin(t);
        } else {
            if (idle != null) idle.drop();
            idle = h;
        }
        return true;
    }

    /** An idle passive connection went away before any transfer used it. */
    synchronized void lost(DataHandler h) {
        if (idle != h) return;
        idle = null;
        lostBeforeTransfer = true;
    }

    synchronized void start(Transfer t) {
        if (closed) {
            t.discard();
            return;
        }
        if (refused != null) {
            t.discard();
            String reason = refused;
            reset();
            owner.transferDone(new TransferResult.TlsRefused(reason));
        } else if (lostBeforeTransfer) {
            t.discard();
            reset();
            owner.transferDone(new TransferResult.Aborted("data connection closed before the transfer began"));
        } else if (activeTarget != null) {
            ActiveTransfer a = new ActiveTransfer(activeTarget, t, this, service.config.dataConnectTimeout(),
                    service.config.dataTimeout(), protect, throttleFor(t));
            activeTarget = null;
            running = a;
            a.start();
        } else if (idle != null) {
            running = idle;
            idle = null;
            ((DataHandler) running).begin(t);
        } else {
            pending = t;
            connectTimeout = control.schedule(service.config.dataConnectTimeout(), this::connectTimedOut);
        }
    }

    private synchronized void connectTimedOut() {
        if (pending == null) return;
        pending.discard();
        pending = null;
        reset();
        owner.transferDone(new TransferResult.NoConnection("none within " + service.config.dataConnectTimeout()));
    }

    /** The transfer run by {@code who} ended. */
    void finished(Object who, TransferResult r) {
        synchronized (this) {
            if (running != who) return;
            running = null;
        }
        owner.transferDone(r);
    }

    synchronized void abort() {
        if (pending != null) {
            pending.discard();
            pending = null;
            if (connectTimeout != null) connectTimeout.cancel(false);
            reset();
            owner.transferDone(new TransferResult.Aborted("ABOR before the data connection came"));
        } else if (running instanceof DataHandler h) {
            h.abortNow();
        } else if (running instanceof ActiveTransfer a) {
            a.abort();
        }
    }

    /** The control connection closed: stop everything. */
    synchronized void close() {
        closed = true;
        if (pending != null) {
            pending.discard();
            pending = null;
        }
        if (connectTimeout != null) connectTimeout.cancel(false);
        reset();
        if (running instanceof DataHandler h) h.abortNow();
        else if (running instanceof ActiveTransfer a) a.abort();
        running = null;
    }
}
