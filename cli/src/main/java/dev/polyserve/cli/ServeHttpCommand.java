package dev.polyserve.cli;

import dev.polyserve.cli.log.ConsoleLog;
import dev.polyserve.core.ServerStats;
import dev.polyserve.services.http.AccessLog;
import dev.polyserve.services.http.DemoApi;
import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.HttpOptions;
import dev.polyserve.services.http.HttpService;
import dev.polyserve.services.http.Https;
import dev.polyserve.core.tls.TlsContext;
import java.net.InetSocketAddress;
import dev.polyserve.services.http.dashboard.Dashboard;
import dev.polyserve.core.MinimumRate;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.event.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code polyserve serve http}: the HTTP/1.1 server: static files, a small JSON API, /healthz and /metrics. */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = {"Serve HTTP/1.1 on any model: files from --root (or the bundled welcome site), a JSON API under "
                + "/api, /healthz and /metrics (Prometheus). Default port 8080; 8443 with --tls-cert (HTTPS).",
                "Try: curl -I http://127.0.0.1:8080/ ; curl http://127.0.0.1:8080/api/time"})
final class ServeHttpCommand implements Callable<Integer> {
    /** The customary unprivileged HTTP port. */
    static final int DEFAULT_PORT = 8080;

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Directory to serve (default: the bundled welcome site).")
    Path root;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "1M", converter = Sizes.ByteSizeConverter.class,
            description = "Largest request body, else 413, e.g. 64K, 10M (default: ${DEFAULT-VALUE}, nginx's client_max_body_size).")
    long maxBody;

    @Option(names = "--access-log", paramLabel = "FILE", defaultValue = "stderr",
            description = "Access log in combined format (JSON with --log-format json): a file, 'stderr' (off with --quiet), '-' for "
                    + "stdout, or 'off' (default: ${DEFAULT-VALUE}, beside the other log lines, so stdout keeps its one 'listening on' line).")
    String accessLog;

    @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "20s", converter = Sizes.DurationConverter.class,
            description = "Time allowed for a whole request head, else 408 and close (slowloris) (default: ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(names = "--keep-alive-timeout", paramLabel = "DURATION", defaultValue = "15s", converter = Sizes.DurationConverter.class,
            description = "Close keep-alive connections idle this long (default: ${DEFAULT-VALUE}).")
    Duration keepAliveTimeout;

    @Option(names = "--body-timeout", paramLabel = "DURATION", defaultValue = "20s", converter = Sizes.DurationConverter.class,
            description = "Window a request body is judged over: each must bring --min-body-rate, else 408 and close "
                    + "(slow POST); 0 = no check (default: ${DEFAULT-VALUE}, Apache's mod_reqtimeout).")
    Duration bodyTimeout;

    @Option(names = "--min-body-rate", paramLabel = "BYTES", defaultValue = "500", converter = Sizes.ByteSizeConverter.class,
            description = "Slowest request body accepted, in bytes per second (default: ${DEFAULT-VALUE}).")
    long minBodyRate;

    @Option(names = "--send-timeout", paramLabel = "DURATION", defaultValue = "20s", converter = Sizes.DurationConverter.class,
            description = "Window a client's reading is judged over: while responses wait, each must take --min-send-rate, "
                    + "else the connection is closed (slow read); 0 = no check (default: ${DEFAULT-VALUE}).")
    Duration sendTimeout;

    @Option(names = "--min-send-rate", paramLabel = "BYTES", defaultValue = "500", converter = Sizes.ByteSizeConverter.class,
            description = "Slowest a client may take its responses, in bytes per second (default: ${DEFAULT-VALUE}).")
    long minSendRate;

    @Option(names = "--max-per-ip", paramLabel = "N", defaultValue = "256",
            description = "Most connections one client address may hold at once, else 503; 0 = no cap (default: ${DEFAULT-VALUE}).")
    int maxPerIp;

    @Option(names = "--demo-routes", negatable = true,
            description = "Serve the demo API (/api/time, /api/hello, /api/echo, the WebSocket /ws/echo) and the live /dashboard. Default: on for the bundled site, off "
                    + "with --root, so your own site exposes only its files.")
    Boolean demoRoutes;

    @Option(names = "--hsts", paramLabel = "SECONDS",
            description = "With --tls-cert: send Strict-Transport-Security: max-age=SECONDS, so browsers use HTTPS only "
                    + "for that long (e.g. 31536000, a year; 0 tells them to forget it).")
    Long hstsSeconds;

    @Option(names = "--redirect-port", paramLabel = "PORT",
            description = "With --tls-cert: also listen for plain HTTP on PORT and answer every request with a 308 "
                    + "redirect to the same URL over HTTPS.")
    Integer redirectPort;

    @Override
    public Integer call() throws Exception {
        boolean tls = server.tlsRequested();
        if (!tls && (hstsSeconds != null || redirectPort != null)) {
            throw new ParameterException(spec.commandLine(), (hstsSeconds != null ? "--hsts" : "--redirect-port")
                    + " needs --tls-cert and --tls-key (HSTS and the redirect only make sense beside HTTPS)");
        }
        if (hstsSeconds != null && hstsSeconds < 0) throw new ParameterException(spec.commandLine(), "--hsts must not be negative");
        HttpApp app = new HttpApp();
        if (root == null) {
            app.bundledSite();
        } else {
            checkReadableDirectory(root);
            app.staticFiles(root);
        }
        boolean demo = demoRoutes != null ? demoRoutes : root == null;
        if (demo) DemoApi.install(app);
        if (maxPerIp < 0) throw new ParameterException(spec.commandLine(), "--max-per-ip must not be negative");
        AccessLog.Style style = ConsoleLog.format() == ConsoleLog.Format.JSON ? AccessLog.Style.JSON : AccessLog.Style.COMBINED;
        AccessLog log = switch (accessLog) {
            case "off" -> null;
            // --quiet (or --log-level warn) quiets stderr; an access log to a file or to stdout stays.
            case "stderr" -> ConsoleLog.threshold().toInt() > Level.INFO.toInt() ? null : AccessLog.toStderr(style);
            case "-" -> AccessLog.toStdout(style);
            default -> AccessLog.toFile(Path.of(accessLog), style);
        };
        ServerStats stats = new ServerStats();
        HttpOptions options = HttpOptions.defaults().withMaxBody(maxBody).withHeaderTimeout(headerTimeout)
                .withKeepAliveTimeout(keepAliveTimeout).withBodyRate(rate("body", minBodyRate, bodyTimeout))
                .withSendRate(rate("send", minSendRate, sendTimeout)).withMaxPerAddress(maxPerIp).withAccessLog(log);
        HttpService http = new HttpService(app, hstsSeconds == null ? options : options.withHsts(Duration.ofSeconds(hstsSeconds)), stats);
        if (demo) Dashboard.install(app, DashboardSources.forServer(server, stats, http::requestsServed));
        ServePipeline pipeline = ServePipeline.tcp(server, "http", tls ? Https.DEFAULT_PORT : DEFAULT_PORT).stats(stats);
        if (tls) pipeline.tlsFor(TlsContext.ALPN_HTTP_1_1, Https.plaintextReply());
        if (redirectPort != null) {
            String host = server.host().equals("0.0.0.0") || server.host().equals("::") ? "localhost"
                    : server.host().indexOf(':') >= 0 ? "[" + server.host() + "]" : server.host();
            HttpApp redirect = Https.redirectApp(pipeline.mainAddress().thenApply(InetSocketAddress::getPort), host);
            pipeline.alsoListen("plain HTTP redirecting to HTTPS", redirectPort,
                    new HttpService(redirect, options, new ServerStats()));
        }
        if (log != null) pipeline.closeAtExit(log);
        return pipeline.serve(http);
    }

    /** Null (no check) for a zero window; a rate of 0 is refused, since it would judge nothing. */
    private MinimumRate rate(String which, long bytesPerSecond, Duration window) {
        if (window.isZero()) return null;
        if (bytesPerSecond < 1) {
            throw new ParameterException(spec.commandLine(), "--min-" + which + "-rate must be at least 1 (or --" + which
                    + "-timeout 0 to turn the check off)");
        }
        return new MinimumRate(bytesPerSecond, window);
    }

    /** Refuses at start a root the server could not serve, rather than answering every request with an error. */
    static void checkReadableDirectory(Path root) {
        if (!Files.isDirectory(root)) throw new IllegalArgumentException("--root " + root + " is not a directory");
        try (DirectoryStream<Path> ignored = Files.newDirectoryStream(root)) {
            // listing it is the test: a directory without read or search permission fails here
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("--root " + root + " cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null || e.getMessage().equals(root.toString()) ? "" : ": " + e.getMessage()) + ")");
        }
    }
}
