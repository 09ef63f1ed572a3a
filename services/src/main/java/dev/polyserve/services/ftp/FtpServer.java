package dev.polyserve.services.ftp;

import dev.polyserve.core.Server;
import dev.polyserve.core.Service;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A running FTP server: the control {@link Server} plus the {@link FtpService} whose passive data listeners
 * run on the same model. Stopping it stops both.
 *
 * <pre>{@code
 * try (FtpServer ftp = FtpServer.start(Server.tcp(2121).model("nio"), FtpConfig.defaults(auth))) { ... }
 * }</pre>
 */
public final class FtpServer implements AutoCloseable {
    private final Server control;
    private final FtpService service;

    private FtpServer(Server control, FtpService service) {
        this.control = control;
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
        FtpService service = new FtpService(config);
        try {
            return new FtpServer(builder.service(layers.apply(service)).start(), service);
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return control.localAddress();
    }

    public Server control() {
        return control;
    }

    public FtpService service() {
        return service;
    }

    /** Stops the control server (open sessions get {@code grace}), then the data listeners. */
    public void stop(Duration grace) {
        try {
            control.stop(grace);
        } finally {
            service.close();
        }
    }

    @Override
    public void close() {
        stop(Server.DEFAULT_GRACE);
    }
}
