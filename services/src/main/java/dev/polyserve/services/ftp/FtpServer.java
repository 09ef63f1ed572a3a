package dev.polyserve.services.ftp;

import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import dev.polyserve.core.tls.TlsService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A running FTP server: the control {@link Server} plus the {@link FtpService} whose passive data listeners
 * run on the same model, and with FTPS an implicit-TLS control listener beside it. Stopping it stops all.
 *
 * <pre>{@code
 * try (FtpServer ftp = FtpServer.start(Server.tcp(2121).model("nio"), FtpConfig.defaults(auth))) { ... }
 * }</pre>
 */
public final class FtpServer implements AutoCloseable {
    /** No implicit-TLS listener. */
    public static final int NO_IMPLICIT_PORT = -1;

    private final Server control;
    private final Server implicit;
    private final FtpService service;

    private FtpServer(Server control, Server implicit, FtpService service) {
        this.control = control;
        this.implicit = implicit;
        this.service = service;
    }

    /** Starts {@code builder} (address, model, limits already set) with a new FTP service for {@code config}. */
    public static FtpServer start(Server.Builder builder, FtpConfig config) throws IOException {
        return start(builder, config, UnaryOperator.identity());
    }

    /**
     * As {@link #start(Server.Builder, FtpConfig)}, with the control connections served through {@code layers}
     * (e.g. an HMAC gate) around the FTP service; passive data connections are the service's own.
     */
    public static FtpServer start(Server.Builder builder, FtpConfig config, UnaryOperator<Service> layers) throws IOException {
        return start(builder, config, layers, null, NO_IMPLICIT_PORT);
    }

    /**
     * As {@link #start(Server.Builder, FtpConfig, UnaryOperator)}, with FTPS when {@code tls} is not null: the control
     * port offers {@code AUTH TLS} (explicit FTPS, RFC 4217), and unless {@code implicitPort} is
     * {@link #NO_IMPLICIT_PORT}, a second control listener there speaks TLS from the first byte (implicit FTPS, port
     * 990 by convention; 0 picks a free port), on the same host, model and limits.
     */
    public static FtpServer start(Server.Builder builder, FtpConfig config, UnaryOperator<Service> layers, FtpTls tls,
                                  int implicitPort) throws IOException {
        FtpService service = new FtpService(config, tls);
        Server control = null;
        try {
            Service inner = layers.apply(service);
            if (tls == null) return new FtpServer(builder.service(inner).start(), null, service);
            ServerConfig cfg = builder.config();
            // TLS is the outermost layer, as on every service; explicit FTPS starts it at AUTH TLS, so a gate's
            // challenge, like the greeting, comes before it in plaintext
            control = builder.service(TlsService.startLater(inner, tls.context(), cfg.writeQueueLimit())).start();
            Server implicit = null;
            if (implicitPort != NO_IMPLICIT_PORT) {
                ServerConfig at = cfg.withAddress(new InetSocketAddress(cfg.address().getAddress(), implicitPort));
                implicit = Server.start(at, TlsService.of(inner, tls.context(), cfg.writeQueueLimit()), new ServerStats());
            }
            return new FtpServer(control, implicit, service);
        } catch (IOException | RuntimeException e) {
            if (control != null) control.stop(Duration.ZERO);
            service.close();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return control.localAddress();
    }

    /** Where implicit FTPS listens, or null when it does not. */
    public InetSocketAddress implicitAddress() {
        return implicit == null ? null : implicit.localAddress();
    }

    public Server control() {
        return control;
    }

    public FtpService service() {
        return service;
    }

    /** Stops the control servers (open sessions get {@code grace}), then the data listeners. */
    public void stop(Duration grace) {
        try {
            if (implicit != null) implicit.stop(grace);
        } finally {
            try {
                control.stop(grace);
            } finally {
                service.close();
            }
        }
    }

    @Override
    public void close() {
        stop(Server.DEFAULT_GRACE);
    }
}
