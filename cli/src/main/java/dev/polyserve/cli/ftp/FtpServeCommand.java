package dev.polyserve.cli.ftp;

import dev.polyserve.cli.Main;
import dev.polyserve.cli.DashboardSources;
import dev.polyserve.cli.ServePipeline;
import dev.polyserve.cli.ServerOptions;
import dev.polyserve.cli.Sizes;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.HttpOptions;
import dev.polyserve.services.http.HttpService;
import dev.polyserve.services.http.Response;
import dev.polyserve.services.http.dashboard.Dashboard;
import dev.polyserve.services.ftp.Authenticator;
import dev.polyserve.services.ftp.FtpConfig;
import dev.polyserve.services.ftp.FtpServer;
import dev.polyserve.services.ftp.FtpTls;
import dev.polyserve.services.ftp.PortRange;
import dev.polyserve.services.ftp.TransferRates;
import dev.polyserve.services.ftp.UsersAuthenticator;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code polyserve serve ftp --root DIR [--port 2121] [--users FILE | --anonymous] [--passive-ports A-B]}:
 * the FTP server on any model. Prints the one "listening on" line and serves until SIGINT/SIGTERM. With
 * {@code --tls-cert/--tls-key} it speaks FTPS (RFC 4217): AUTH TLS on the control port, PROT P data connections that
 * must resume the control connection's TLS session, and implicit FTPS on {@code --implicit-tls-port}.
 */
@Command(name = "ftp", mixinStandardHelpOptions = true,
        description = {"FTP file server (RFC 959, 2428, 3659, 2640) on any model. Default port 2121.",
                "Passive data connections run on the same model as the control connection."})
public final class FtpServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(FtpServeCommand.class);
    /** FTP's port 21 needs root; 2121 is the customary unprivileged stand-in (pyftpdlib's default too). */
    public static final int DEFAULT_PORT = 2121;

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Option(names = "--root", required = true, paramLabel = "DIR",
            description = "Directory served: anonymous users see it as / (unless --anonymous-root), relative homes in --users start here.")
    Path root;

    @Option(names = "--users", paramLabel = "FILE",
            description = "Users file (make one with `polyserve ftp-user add`); re-read when it changes and on SIGHUP.")
    Path users;

    @Option(names = "--anonymous", description = "Anonymous read-only access (to --root, or --anonymous-root); with --users, beside the named users.")
    boolean anonymous;

    @Option(names = "--anonymous-root", paramLabel = "DIR",
            description = "Anonymous users' own root (default: --root); required with --users, so they never see the users' homes.")
    Path anonymousRoot;

    @Option(names = "--passive-ports", paramLabel = "RANGES",
            description = "Ports for PASV/EPSV data connections, FIRST-LAST[,FIRST-LAST...] (default: ${DEFAULT-VALUE}).")
    String passivePorts = FtpConfig.DEFAULT_PASSIVE_PORTS.toString();

    @Option(names = "--masquerade-address", paramLabel = "ADDR",
            description = "The IPv4 address (or a name resolved at start) PASV replies give, behind NAT: the public one.")
    String masqueradeAddress;

    @Option(names = "--banner", paramLabel = "TEXT", description = "The greeting's text (default: ${DEFAULT-VALUE}).")
    String banner = FtpConfig.DEFAULT_BANNER;

    @Option(names = "--data-timeout", paramLabel = "DURATION", converter = Sizes.DurationConverter.class,
            description = "Abort a transfer whose data connection moves nothing this long, with 426 (default: 5m, vsftpd's).")
    Duration dataTimeout = FtpConfig.DEFAULT_DATA_TIMEOUT;

    @Option(names = "--max-per-ip", paramLabel = "N",
            description = "Control connections one address may hold; more get 421 (default: ${DEFAULT-VALUE}).")
    int maxPerIp = FtpConfig.DEFAULT_MAX_PER_IP;

    @Option(names = "--max-download-rate", paramLabel = "RATE", converter = Sizes.ByteSizeConverter.class,
            description = "Bytes per second each session may download (RETR), e.g. 512K or 10M; K, M, G are powers "
                    + "of 1024; 0 = no limit (default). At least 1K.")
    long maxDownloadRate;

    @Option(names = "--max-upload-rate", paramLabel = "RATE", converter = Sizes.ByteSizeConverter.class,
            description = "Bytes per second each session may upload (STOR, APPE, STOU); as --max-download-rate.")
    long maxUploadRate;

    @Option(names = "--max-total-download-rate", paramLabel = "RATE", converter = Sizes.ByteSizeConverter.class,
            description = "Bytes per second all sessions together may download; a session under both limits gets the "
                    + "slower. K, M, G are powers of 1024; 0 = no limit (default).")
    long maxTotalDownloadRate;

    @Option(names = "--max-total-upload-rate", paramLabel = "RATE", converter = Sizes.ByteSizeConverter.class,
            description = "Bytes per second all sessions together may upload; as --max-total-download-rate.")
    long maxTotalUploadRate;

    @Option(names = "--auth-cache-ttl", paramLabel = "DURATION", converter = Sizes.DurationConverter.class,
            description = "Remember a verified login this long, so the same user and password again skip the slow "
                    + "hash (mod_authn_socache); 0 = never (default: 5m).")
    Duration authCacheTtl = UsersAuthenticator.DEFAULT_CACHE_TTL;

    @Option(names = "--web-port", paramLabel = "PORT",
            description = "Also serve the server's live /dashboard to browsers on this port (0 = any free port).")
    Integer webPort;

    @Option(names = "--tls-required",
            description = "With --tls-cert: refuse USER/PASS before AUTH TLS (530) and transfers without PROT P (521).")
    boolean tlsRequired;

    @Option(names = "--implicit-tls-port", paramLabel = "PORT",
            description = "With --tls-cert: also serve implicit FTPS (TLS from the first byte) on this port; 990 by convention.")
    Integer implicitTlsPort;

    @Option(names = "--require-tls-reuse", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "A PROT P data connection must resume the control connection's TLS session, else 522, as "
                    + "vsftpd's require_ssl_reuse (default: on; --no-require-tls-reuse for clients that cannot).")
    boolean requireTlsReuse;

    private void checkRate(String option, long rate) {
        if (rate != 0 && rate < TransferRates.MIN_RATE) {
            throw new ParameterException(spec.commandLine(), option + " must be 0 (no limit) or at least 1K (1024 bytes a second)");
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.isDirectory(root)) throw new ParameterException(spec.commandLine(), "--root " + root + " is not a directory");
        PortRange range;
        try {
            range = PortRange.parse(passivePorts);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--passive-ports: " + e.getMessage());
        }
        if (maxPerIp < 1) throw new ParameterException(spec.commandLine(), "--max-per-ip must be at least 1");
        Path rootDir = root.toAbsolutePath().normalize();
        Authenticator auth = null;
        List<String> who = new ArrayList<>();
        if (users == null && !anonymous) {
            throw new ParameterException(spec.commandLine(), "give --users FILE, --anonymous, or both");
        }
        if (anonymousRoot != null && !anonymous) {
            throw new ParameterException(spec.commandLine(), "--anonymous-root needs --anonymous");
        }
        if (users != null) {
            if (!Files.isRegularFile(users)) {
                throw new ParameterException(spec.commandLine(),
                        "--users " + users + " does not exist; create it with polyserve ftp-user add");
            }
            UsersAuthenticator named;
            try {
                named = UsersAuthenticator.open(users, rootDir, authCacheTtl);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--users " + Main.describe(e));
            }
            // Also re-read when it changes; SIGHUP forces it (the TLS certificate reload shares the signal).
            dev.polyserve.process.Signals.onHangup(named::reload);
            auth = named;
            who.add(named.size() + " user(s) from " + users);
        }
        if (anonymous) {
            if (users != null && anonymousRoot == null) {
                throw new ParameterException(spec.commandLine(),
                        "--users with --anonymous needs --anonymous-root DIR: anonymous users' own read-only root");
            }
            Path anonDir = anonymousRoot == null ? rootDir : anonymousRoot.toAbsolutePath().normalize();
            if (!Files.isDirectory(anonDir)) {
                throw new ParameterException(spec.commandLine(), "--anonymous-root " + anonymousRoot + " is not a directory");
            }
            Authenticator anon = Authenticator.anonymous(anonDir);
            auth = auth == null ? anon : auth.orElse(anon);
            who.add("anonymous read-only" + (anonymousRoot == null ? "" : " in " + anonDir));
        }
        Inet4Address passiveAddress = null;
        if (masqueradeAddress != null) {
            try {
                if (!(InetAddress.getByName(masqueradeAddress) instanceof Inet4Address a)) {
                    throw new ParameterException(spec.commandLine(), "--masquerade-address must be IPv4 (PASV has no IPv6 form; EPSV names no address)");
                }
                passiveAddress = a;
            } catch (UnknownHostException e) {
                throw new ParameterException(spec.commandLine(), "--masquerade-address " + masqueradeAddress + ": unknown host");
            }
        }
        if ((tlsRequired || implicitTlsPort != null) && !server.tlsRequested()) {
            throw new ParameterException(spec.commandLine(), (tlsRequired ? "--tls-required" : "--implicit-tls-port")
                    + " needs --tls-cert and --tls-key");
        }
        if (implicitTlsPort != null && (implicitTlsPort < 0 || implicitTlsPort > 65535)) {
            throw new ParameterException(spec.commandLine(), "--implicit-tls-port must be 0 to 65535");
        }
        String model = server.modelOr(ServerConfig.DEFAULT_MODEL);
        if (implicitTlsPort != null && (model.equals("prefork") || model.equals("process"))) {
            // The implicit port is a second listener, and the multi-process engines accept on one port per process
            // tree; refused before anything binds or forks, so no worker starts only to fail.
            throw new ParameterException(spec.commandLine(), "--implicit-tls-port runs on in-process models, not --model " + model
                    + " (use AUTH TLS on the control port there)");
        }
        String pasvNote = passiveAddress == null ? "" : " named as " + passiveAddress.getHostAddress();
        checkRate("--max-download-rate", maxDownloadRate);
        checkRate("--max-upload-rate", maxUploadRate);
        checkRate("--max-total-download-rate", maxTotalDownloadRate);
        checkRate("--max-total-upload-rate", maxTotalUploadRate);
        TransferRates rates = new TransferRates(maxDownloadRate, maxUploadRate, maxTotalDownloadRate, maxTotalUploadRate);
        FtpConfig cfg;
        try {
            cfg = FtpConfig.defaults(auth).withPassivePorts(range).withMaxConnectionsPerIp(maxPerIp)
                    .withDataTimeout(dataTimeout).withBanner(banner).withPassiveAddress(passiveAddress).withRates(rates);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--banner: " + e.getMessage());
        }
        ServePipeline pipeline = ServePipeline.tcp(server, "ftp", DEFAULT_PORT)
                .jdkTls("FTPS data connections prove they resumed the control session by what only the JDK's sessions keep");
        AtomicReference<FtpServer> started = new AtomicReference<>();
        if (webPort != null) {
            // The server live at /dashboard: control and data connections together.
            ServerStats controlStats = new ServerStats();
            pipeline.stats(controlStats);
            HttpApp web = new HttpApp();
            web.get("/", HttpApp.Dispatch.EVENT_LOOP, req -> Response.redirect(302, Dashboard.PATH));
            Dashboard.install(web, DashboardSources.plus(DashboardSources.forServer(server, controlStats, () -> -1),
                    () -> started.get() == null ? null : started.get().service().dataStats()));
            pipeline.alsoListenInMaster("the dashboard for browsers", webPort, new HttpService(web, HttpOptions.defaults(), new ServerStats()));
        }
        return pipeline.serve((builder, layers) -> {
            FtpTls tls = layers.tls() == null ? null : FtpTls.of(layers.tls(), tlsRequired, requireTlsReuse);
            FtpServer ftp = FtpServer.start(builder, cfg, layers.withoutTls(), tls,
                    implicitTlsPort == null ? FtpServer.NO_IMPLICIT_PORT : implicitTlsPort);
            started.set(ftp);
            LOG.info("serving {} to {}; passive ports {}{}", rootDir, String.join(" and ", who), range, pasvNote);
            if (tls != null) {
                LOG.info("FTPS: AUTH TLS on the control port{}{}; data connections must {}resume the control session",
                        ftp.implicitAddress() == null ? "" : ", implicit TLS on " + ServePipeline.hostPort(ftp.implicitAddress()),
                        tlsRequired ? "; TLS required" : "", requireTlsReuse ? "" : "not ");
            }
            return new ServePipeline.Running() {
                @Override public InetSocketAddress localAddress() { return ftp.localAddress(); }
                @Override public String model() { return ftp.control().config().model(); }
                @Override public void stop(Duration grace) { ftp.stop(grace); }
            };
        });
    }
}
