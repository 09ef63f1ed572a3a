package dev.polyserve.services.ftp;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.tls.TlsConn;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

/**
 * Drives one {@link FtpSession} from a control connection: bytes to the session, replies to the connection,
 * logins to the password checker, transfers to a {@link DataLink}. Every session call happens on the
 * connection's own executor.
 */
final class ControlHandler implements Handler, SessionIo {
    private final FtpService service;
    private Conn conn;
    private InetAddress peerIp;
    private FtpSession session;
    private DataLink link;
    private boolean counted;

    ControlHandler(FtpService service) {
        this.service = service;
    }

    @Override
    public void onOpen(Conn c) {
        conn = c;
        InetSocketAddress peer = (InetSocketAddress) c.remote();
        peerIp = peer.getAddress();
        if (!service.perIp.tryAcquire(peerIp)) {
            FtpService.LOG.warn("{}: refused: already {} control connections from this address", peer,
                    service.config.maxConnectionsPerIp());
            c.write(ByteBuffer.wrap("421 Too many connections from your address\r\n".getBytes(StandardCharsets.US_ASCII)));
            c.close();
            return;
        }
        counted = true;
        link = new DataLink(service, c, this);
        session = new FtpSession(this, (InetSocketAddress) c.local(), peer, service.config.clock());
        session.present(service.config.banner(), service.config.passiveAddress());
        if (service.tls != null && c instanceof TlsConn t) session.offerTls(service.tls.required(), t.isSecure());
        session.start();
    }

    @Override
    public void onRead(Conn c, ByteBuffer in) {
        if (session == null) {
            in.position(in.limit());
            return;
        }
        session.receive(in);
        if (session.suspended()) c.pauseReading();
    }

    @Override
    public void onIdle(Conn c) {
        if (session == null) {
            c.close();
        } else if (!session.transferring()) {
            session.idleTimeout();
        }
        // A running transfer keeps the control connection quiet by design: not idle.
    }

    @Override
    public void onShutdown(Conn c) {
        if (session == null) c.close();
        else session.shutdown();
    }

    @Override
    public void onClose(Conn c, Throwable cause) {
        if (counted) service.perIp.release(peerIp);
        if (link != null) link.close();
    }

    /** Runs {@code r} on the control connection's executor, unless it is gone. */
    void onControl(Runnable r) {
        if (!conn.isOpen()) return;
        try {
            conn.executor().execute(() -> {
                if (conn.isOpen()) r.run();
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            // The connection closed between the check and the hand-over; nobody waits for the answer.
        }
    }

    void transferDone(TransferResult r) {
        onControl(() -> session.onTransferDone(r));
    }

    private void loginResult(LoginResult r) {
        session.onLoginResult(r);
        if (!session.suspended() && conn.isOpen()) conn.resumeReading();
    }

    // ------------------------------------------------------------------ SessionIo

    @Override
    public void send(String reply) {
        conn.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        conn.close();
    }

    @Override
    public void authenticate(String user, char[] password) {
        if (service.guard.isLocked(peerIp)) {
            Arrays.fill(password, '\0');
            onControl(() -> loginResult(new LoginResult.LockedOut()));
            return;
        }
        try {
            service.authExecutor.execute(() -> {
                Optional<Account> account;
                try {
                    account = service.config.authenticator().authenticate(user, password);
                } catch (Authenticator.Overloaded busy) {
                    onControl(() -> loginResult(new LoginResult.Busy()));
                    return;
                } finally {
                    Arrays.fill(password, '\0');
                }
                if (account.isPresent()) {
                    service.guard.succeeded(peerIp);
                    onControl(() -> loginResult(new LoginResult.Granted(account.get())));
                } else {
                    if (service.guard.failed(peerIp)) {
                        FtpService.LOG.warn("{}: locked out for {} after {} failed logins", peerIp.getHostAddress(),
                                service.config.lockout(), service.config.maxLoginFailures());
                    }
                    // The delay slows guessing; it runs on the connection's timer, so no thread waits.
                    if (conn.isOpen()) {
                        conn.schedule(service.config.loginFailureDelay(), () -> loginResult(new LoginResult.Denied()));
                    }
                }
            });
        } catch (RejectedExecutionException stopping) {
            onControl(() -> loginResult(new LoginResult.Denied()));
        }
    }

    @Override
    public int openPassive() {
        return link.openPassive();
    }

    @Override
    public void openActive(InetSocketAddress target) {
        link.openActive(target);
    }

    @Override
    public void startTransfer(Transfer transfer) {
        link.start(transfer);
    }

    @Override
    public void abortTransfer() {
        link.abort();
    }

    @Override
    public void startTls() {
        ((TlsConn) conn).startTls();
    }

    @Override
    public void protectData(boolean on) {
        link.protectData(on);
    }
}
