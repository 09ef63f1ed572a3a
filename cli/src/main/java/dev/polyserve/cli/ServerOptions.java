package dev.polyserve.cli;

import dev.polyserve.cli.log.LogOptions;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.auth.HmacKey;
import dev.polyserve.core.tls.TlsContext;
import dev.polyserve.core.tls.TlsProvider;
import dev.polyserve.core.udp.UdpServer;
import dev.polyserve.process.ProcessModels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every server has, whatever its service. */
public final class ServerOptions {

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Concurrency model (default: " + ServerConfig.DEFAULT_MODEL + " for TCP, " + UdpServer.DEFAULT_MODEL
                    + " for UDP). `polyserve models` lists them.")
    String model;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 or :: for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (default: the service's own port).")
    Integer port;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = Sizes.DurationConverter.class,
            description = "Close connections idle this long, e.g. 30s, 500ms, 5m; 0 = never (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_CONNECTIONS,
            description = "Refuse connections beyond this many open ones, with a log line (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--write-queue-limit", paramLabel = "BYTES", defaultValue = "4M", converter = Sizes.ByteSizeConverter.class,
            description = "Disconnect a client with more than this many unsent bytes (a reader that does not keep up), e.g. 512K, 4M (default: ${DEFAULT-VALUE}).")
    long writeQueueLimit;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0",
            description = "Event loops or pool threads; 0 lets the model choose (one loop per core; 200 pool threads).")
    int workers;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "5s", converter = Sizes.DurationConverter.class,
            description = "On SIGINT/SIGTERM, how long open connections get to finish (default: ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Option(names = "--auth-key-file", paramLabel = "FILE",
            description = "Admit only clients that answer a random challenge with HMAC-SHA256 of this key (make one: head -c 32 /dev/urandom > FILE).")
    Path authKeyFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Speak TLS with this PEM certificate chain, leaf first (needs --tls-key; `polyserve cert` makes a "
                    + "development one). SIGHUP reloads it and the key without dropping connections.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The PEM private key of --tls-cert: PKCS#8, or RSA/EC in OpenSSL's older forms; unencrypted.")
    Path tlsKey;

    @Option(names = "--tls-protocols", paramLabel = "LIST", split = ",", defaultValue = "TLSv1.3,TLSv1.2",
            description = "TLS versions to speak, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> tlsProtocols;

    @Option(names = "--tls-provider", paramLabel = "jdk|conscrypt|auto", defaultValue = "auto",
            converter = TlsProviderConverter.class,
            description = "Whose TLS: the JDK's, or Conscrypt's (BoringSSL), which costs about a ninth of the JDK's server "
                    + "CPU per handshake (docs/bench/tls.md); auto is Conscrypt when its native library loads, else the JDK; "
                    + "when it cannot load, the JDK serves, with one log line. FTPS always uses the JDK (default: ${DEFAULT-VALUE}).")
    TlsProvider tlsProvider;

    @Option(names = "--worker-model", paramLabel = "MODEL", defaultValue = ServerConfig.DEFAULT_MODEL,
            description = "With --model prefork: the in-process model each worker JVM runs (default: ${DEFAULT-VALUE}).")
    String workerModel;

    @Mixin
    LogOptions log;

    /** The key name {@code --auth-key-file} is registered under in the gate. */
    public static final String AUTH_KEY_NAME = "user";

    /**
     * The layers these options put around a service: TLS when --tls-cert was given (offering {@code alpn}, and
     * telling a plaintext client {@code plaintextReply}), and the HMAC gate when --auth-key-file was given,
     * admitting {@code extraKeys} too (e.g. chat's admin key). Reads the certificate and key files now.
     *
     * @throws IllegalArgumentException when extra keys are given without --auth-key-file, or a TLS file is
     *                                  unreadable or its key does not match
     * @throws IOException              when a key file cannot be read
     */
    public ServiceLayers layers(List<HmacKey> extraKeys, List<String> alpn, byte[] plaintextReply) throws IOException {
        return layers(extraKeys, alpn, plaintextReply, tlsProvider);
    }

    /** As {@link #layers(List, List, byte[])}, with TLS from {@code provider} whatever --tls-provider says. */
    public ServiceLayers layers(List<HmacKey> extraKeys, List<String> alpn, byte[] plaintextReply, TlsProvider provider)
            throws IOException {
        List<HmacKey> keys = new ArrayList<>();
        if (authKeyFile == null) {
            if (!extraKeys.isEmpty()) {
                throw new IllegalArgumentException("--" + extraKeys.getFirst().name()
                        + "-key-file needs --auth-key-file: its holders pass the same HMAC gate as everyone, with their own key");
            }
        } else {
            keys.add(HmacKey.read(AUTH_KEY_NAME, authKeyFile));
            keys.addAll(extraKeys);
        }
        TlsContext tls = tls(alpn, provider);
        return keys.isEmpty() && tls == null ? ServiceLayers.NONE
                : new ServiceLayers(keys, tls, writeQueueLimit, tls == null ? null : plaintextReply);
    }

    /** The TLS configuration --tls-cert/--tls-key/--tls-protocols ask for, or null; reads the files now. */
    public TlsContext tls(List<String> alpn) {
        return tls(alpn, tlsProvider);
    }

    private TlsContext tls(List<String> alpn, TlsProvider provider) {
        if (tlsCert == null && tlsKey == null) return null;
        if (tlsCert == null || tlsKey == null) {
            throw new IllegalArgumentException(tlsCert == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
        }
        return TlsContext.load(tlsCert, tlsKey, tlsProtocols, alpn, provider);
    }

    /** What --tls-provider asked for. */
    public TlsProvider tlsProvider() {
        return tlsProvider;
    }

    /** {@code --tls-provider jdk|conscrypt|auto}, any case. */
    static final class TlsProviderConverter implements picocli.CommandLine.ITypeConverter<TlsProvider> {
        @Override
        public TlsProvider convert(String value) {
            try {
                return TlsProvider.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Whether TLS was asked for (a service may then pick its TLS port, as HTTPS's 8443). */
    public boolean tlsRequested() {
        return tlsCert != null;
    }

    /** The model to run: the one asked for, or {@code fallback}. */
    public String modelOr(String fallback) {
        return model != null ? model : fallback;
    }

    /** A server builder with these options, listening on {@code defaultPort} when --port was not given. */
    public Server.Builder builder(int defaultPort) {
        return Server.tcp(port != null ? port : defaultPort)
                .host(host)
                .model(modelOr(ServerConfig.DEFAULT_MODEL))
                .idleTimeout(idleTimeout)
                .maxConnections(maxConnections)
                .writeQueueLimit(writeQueueLimit)
                .workers(workers)
                .workerModel(workerModel)
                // prefork and process start child JVMs that re-run this very command line.
                .relaunchCommand(ProcessModels.thisCommandLine());
    }

    /**
     * Makes {@code b} (from {@link #builder}) run in this process: under {@code --model prefork}, on the worker model
     * with its own default loops, since --workers then counts processes.
     */
    public Server.Builder inProcess(Server.Builder b) {
        if (!"prefork".equals(model)) return b;
        return b.model(workerModel).workers(0);
    }

    public String host() { return host; }
    public Integer port() { return port; }
    public Duration shutdownGrace() { return shutdownGrace; }
}
