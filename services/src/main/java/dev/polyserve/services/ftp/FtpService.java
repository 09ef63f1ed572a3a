package dev.polyserve.services.ftp;

import dev.polyserve.core.Handler;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FTP service: one {@link ControlHandler} per control connection, sharing the login guard, the per-address
 * limit and the passive data listeners. Close it after the control server stops: that stops the data
 * listeners it started.
 */
public final class FtpService implements Service, AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(FtpService.class);

    private static final byte[] FULL = "421 Too many connections; try again later\r\n".getBytes(StandardCharsets.US_ASCII);

    final FtpConfig config;
    /** FTPS, or null: plain FTP only (AUTH gets 502). */
    final FtpTls tls;
    final LoginGuard guard;
    final PerIpLimit perIp;
    final PassivePorts passivePorts;
    /** The server's total limits, shared by every session; null: none. */
    private final TokenBucket totalDownload;
    private final TokenBucket totalUpload;
    /** Password checks run here, off every engine's loops: PBKDF2 is slow on purpose. */
    final ExecutorService authExecutor = Executors.newVirtualThreadPerTaskExecutor();

    public FtpService(FtpConfig config) {
        this(config, null);
    }

    /**
     * With {@code tls} (null: none) offered on control connections that run behind a {@code TlsService} layer
     * ({@link FtpServer} puts it there) and on every passive data listener.
     */
    public FtpService(FtpConfig config, FtpTls tls) {
        this.config = config;
        this.tls = tls;
        this.guard = new LoginGuard(config.clock(), config.maxLoginFailures(), config.lockout());
        this.perIp = new PerIpLimit(config.maxConnectionsPerIp());
        this.passivePorts = new PassivePorts(config.passivePorts(), config.dataTimeout(), tls);
        TransferRates r = config.rates();
        this.totalDownload = r.totalDownload() == 0 ? null : new TokenBucket(r.totalDownload());
        this.totalUpload = r.totalUpload() == 0 ? null : new TokenBucket(r.totalUpload());
    }

    /** A new session's download limits: its own bucket and the server's. */
    Throttle downloadThrottle() {
        long own = config.rates().sessionDownload();
        return throttle(own == 0 ? null : new TokenBucket(own), totalDownload);
    }

    /** A new session's upload limits: its own bucket and the server's. */
    Throttle uploadThrottle() {
        long own = config.rates().sessionUpload();
        return throttle(own == 0 ? null : new TokenBucket(own), totalUpload);
    }

    private static Throttle throttle(TokenBucket own, TokenBucket total) {
        return own == null && total == null ? Throttle.NONE : new Throttle(own, total);
    }

    @Override
    public Handler newHandler() {
        return new ControlHandler(this);
    }

    @Override
    public byte[] refusal() {
        return FULL.clone();
    }

    /** The passive data connections' counters (the control connections' are their server's). Any thread. */
    public ServerStats dataStats() {
        return passivePorts.stats;
    }

    /** Stops the passive data listeners and the password checker. */
    @Override
    public void close() {
        passivePorts.close();
        authExecutor.shutdownNow();
    }
}
