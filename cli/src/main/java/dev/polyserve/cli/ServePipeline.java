package dev.polyserve.cli;

import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import dev.polyserve.core.auth.HmacKey;
import dev.polyserve.core.tls.TlsContext;
import dev.polyserve.core.tls.TlsProvider;
import dev.polyserve.core.udp.DatagramService;
import dev.polyserve.core.udp.UdpServer;
import dev.polyserve.process.ProcessModels;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every {@code polyserve serve} command assembles and runs its server, in the order the bytes and
 * the lifetime go (Netty's {@code ChannelInitializer} is the model):
 *
 * <pre>
 * options -> layers (TLS, HMAC gate) -> service -> engine -> announce -> wait for SIGINT/SIGTERM -> graceful stop
 * </pre>
 *
 * A command states only what is its own: the service, its default port, counters it publishes, resources to close,
 * and any second listener.
 *
 * <pre>{@code
 * return ServePipeline.tcp(server, "http", 8080).stats(stats).closeAtExit(accessLog).serve(http);
 * }</pre>
 */
public final class ServePipeline {
    private static final Logger log = LoggerFactory.getLogger(ServePipeline.class);

    /** A started server as the pipeline sees it: where it listens, on which model, and how it stops. */
    public interface Running {
        InetSocketAddress localAddress();

        String model();

        /** Graceful stop: no new connections, open ones get {@code grace}, then are aborted. */
        void stop(Duration grace);

        /** A plain {@link Server}. */
        static Running of(Server server) {
            return new Running() {
                @Override public InetSocketAddress localAddress() { return server.localAddress(); }
                @Override public String model() { return server.config().model(); }
                @Override public void stop(Duration grace) { server.stop(grace); }
            };
        }
    }

    /**
     * Starts a service that opens listeners of its own (FTP: the control port and passive data ports) from the
     * builder the options configured and the layers they ask for.
     */
    @FunctionalInterface
    public interface Starter {
        Running start(Server.Builder builder, ServiceLayers layers) throws IOException;
    }

    /** {@code inThisProcess}: under prefork the master serves it itself (see {@link #alsoListenInMaster}). */
    private record SecondListener(String label, int port, Service service, boolean inThisProcess) {}

    private final ServerOptions options;
    private final String serviceName;
    private final int defaultPort;
    private ServerStats stats = new ServerStats();
    private List<HmacKey> extraKeys = List.of();
    private List<String> alpn = List.of();
    private byte[] plaintextReply;
    private String jdkTlsBecause; // non-null: TLS from the JDK, for this reason
    private ServiceLayers layers;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<SecondListener> secondListeners = new ArrayList<>();
    private final CompletableFuture<InetSocketAddress> mainAddress = new CompletableFuture<>();

    private ServePipeline(ServerOptions options, String serviceName, int defaultPort) {
        this.options = Objects.requireNonNull(options);
        this.serviceName = Objects.requireNonNull(serviceName);
        this.defaultPort = defaultPort;
    }

    /** A TCP server for {@code serviceName} with these options, on {@code defaultPort} unless --port says otherwise. */
    public static ServePipeline tcp(ServerOptions options, String serviceName, int defaultPort) {
        return new ServePipeline(options, serviceName, defaultPort);
    }

    /** Counters the engine updates and the service publishes (HTTP's /metrics). */
    public ServePipeline stats(ServerStats s) {
        this.stats = Objects.requireNonNull(s);
        return this;
    }

    /** Keys the HMAC gate admits besides --auth-key-file's (chat's admin key). */
    public ServePipeline extraKeys(List<HmacKey> keys) {
        if (layers != null) throw new IllegalStateException("extra keys must be set before the layers are built");
        this.extraKeys = List.copyOf(keys);
        return this;
    }

    /**
     * Under TLS: the ALPN protocols to offer (HTTP's {@code http/1.1}) and what a plaintext client is told before
     * it is closed (HTTP's 400), or null to close it silently.
     */
    public ServePipeline tlsFor(List<String> alpnProtocols, byte[] plaintextReply) {
        if (layers != null) throw new IllegalStateException("TLS settings must be set before the layers are built");
        this.alpn = List.copyOf(alpnProtocols);
        this.plaintextReply = plaintextReply == null ? null : plaintextReply.clone();
        return this;
    }

    /**
     * Under TLS, always the JDK's provider whatever --tls-provider says, for {@code why} (FTPS: a data connection
     * proves it resumed the control connection's session by what the JDK's resumed sessions keep; see FtpTls).
     */
    public ServePipeline jdkTls(String why) {
        if (layers != null) throw new IllegalStateException("TLS settings must be set before the layers are built");
        this.jdkTlsBecause = Objects.requireNonNull(why);
        return this;
    }

    /** Closed after the server has stopped (an access log), last added first. */
    public ServePipeline closeAtExit(AutoCloseable resource) {
        resources.add(Objects.requireNonNull(resource));
        return this;
    }

    /**
     * Also serves {@code service} on {@code port} (0 = any free port) with the same options, started before the
     * main listener and stopped with it. The service is taken as given: pass it through {@link #layers()} first
     * when it should be protected like the main one.
     */
    public ServePipeline alsoListen(String label, int port, Service service) {
        secondListeners.add(new SecondListener(label, port, service, false));
        return this;
    }

    /**
     * As {@link #alsoListen}, but served by this process on an in-process model: under {@code prefork} the master
     * serves it with the worker model and the workers never open it (chat's browser page, whose members the master
     * links into the workers' room itself).
     */
    public ServePipeline alsoListenInMaster(String label, int port, Service service) {
        secondListeners.add(new SecondListener(label, port, service, true));
        return this;
    }

    /**
     * Where the main listener listens, once it does (it starts after the second listeners, perhaps on a free port):
     * for a second listener that points at it, as HTTP's redirect to HTTPS.
     */
    public CompletableFuture<InetSocketAddress> mainAddress() {
        return mainAddress;
    }

    /**
     * The layers the options ask for (read once: key and certificate files). Under TLS, SIGHUP reloads the
     * certificate and key from then on.
     */
    public ServiceLayers layers() throws IOException {
        if (layers == null) {
            TlsProvider asked = options.tlsProvider();
            layers = options.layers(extraKeys, alpn, plaintextReply, jdkTlsBecause == null ? asked : TlsProvider.JDK);
            TlsContext tls = layers.tls();
            if (tls != null && jdkTlsBecause != null && asked == TlsProvider.CONSCRYPT) {
                log.warn("{}: --tls-provider conscrypt does not apply here: {}; TLS is the JDK's", serviceName, jdkTlsBecause);
            }
            if (tls != null) {
                log.info("{}: TLS ({}, {}) with the certificate for {}, valid until {}; SIGHUP reloads it", serviceName,
                        String.join(", ", tls.protocols()), tls.providerDescription(),
                        tls.certificate().getSubjectX500Principal().getName(),
                        tls.certificate().getNotAfter().toInstant());
                dev.polyserve.process.Signals.onHangup(tls::reload);
            }
        }
        return layers;
    }

    /** Serves {@code service} behind the layers until SIGINT/SIGTERM; returns the exit code. */
    public int serve(Service service) throws IOException, InterruptedException {
        return serve((builder, layers) -> Running.of(builder.service(layers.apply(service)).start()));
    }

    /** Runs what {@code starter} starts until SIGINT/SIGTERM; returns the exit code. */
    public int serve(Starter starter) throws IOException, InterruptedException {
        List<Running> running = new ArrayList<>();
        try {
            ServiceLayers l = layers();
            for (SecondListener second : secondListeners) {
                if (second.inThisProcess() && ProcessModels.inChildProcess()) continue;
                Server.Builder b = options.builder(second.port()).port(second.port());
                if (second.inThisProcess()) options.inProcess(b);
                Server s = b.service(second.service()).start();
                running.add(Running.of(s));
                log.info("{}: {} on {}", serviceName, second.label(), hostPort(s.localAddress()));
            }
            Running main = starter.start(options.builder(defaultPort).stats(stats), l);
            running.addFirst(main);
            mainAddress.complete(main.localAddress());
            announce(System.out, main.localAddress(), serviceName, main.model(), "tcp");
            Signals.awaitTermination();
            return 0;
        } finally {
            for (Running r : running) r.stop(options.shutdownGrace());
            closeAll();
        }
    }

    private void closeAll() {
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("{}: closing {} at exit failed: {}", serviceName, r, e.toString());
            }
        }
    }

    /** Serves {@code service} over UDP until SIGINT/SIGTERM; returns the exit code. */
    public static int udp(ServerOptions options, String serviceName, int defaultPort, DatagramService service)
            throws IOException, InterruptedException {
        String model = options.modelOr(UdpServer.DEFAULT_MODEL);
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port() != null ? options.port() : defaultPort);
        if (address.isUnresolved()) throw new IllegalArgumentException("cannot resolve host '" + options.host() + "'");
        UdpServer server = UdpServer.start(address, model, service);
        try {
            announce(System.out, server.localAddress(), serviceName, model, "udp");
            Signals.awaitTermination();
            return 0;
        } finally {
            server.stop(options.shutdownGrace());
        }
    }

    /**
     * Installs the signal handlers, then prints exactly one line: {@code listening on HOST:PORT (service=S,
     * model=M, transport=T)}. A prefork worker prints nothing: its master speaks for the server.
     */
    public static void announce(PrintStream out, InetSocketAddress address, String service, String model, String transport) {
        Signals.install(); // before the line: whoever reads it may signal us at once
        if (ProcessModels.inChildProcess()) return;
        out.println("listening on " + hostPort(address) + " (service=" + service + ", model=" + model
                + ", transport=" + transport + ")");
        out.flush();
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public static String hostPort(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
