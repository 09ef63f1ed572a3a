package dev.polyserve.cli;

import dev.polyserve.core.ServerStats;
import dev.polyserve.services.http.AccessLog;
import dev.polyserve.services.http.DemoApi;
import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.HttpOptions;
import dev.polyserve.services.http.HttpService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code polyserve serve http}: the HTTP/1.1 server: static files, a small JSON API, /healthz and /metrics. */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = {"Serve HTTP/1.1 on any model: files from --root (or the bundled welcome site), a JSON API under "
                + "/api, /healthz and /metrics (Prometheus). Default port 8080.",
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
            description = "Access log in combined format: a file, 'stderr', '-' for stdout, or 'off' (default: ${DEFAULT-VALUE}, "
                    + "beside the other log lines, so stdout keeps its one 'listening on' line).")
    String accessLog;

    @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "20s", converter = Sizes.DurationConverter.class,
            description = "Time allowed for a whole request head, else 408 and close (slowloris) (default: ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(names = "--keep-alive-timeout", paramLabel = "DURATION", defaultValue = "15s", converter = Sizes.DurationConverter.class,
            description = "Close keep-alive connections idle this long (default: ${DEFAULT-VALUE}).")
    Duration keepAliveTimeout;

    @Override
    public Integer call() throws Exception {
        HttpApp app = new HttpApp();
        if (root == null) {
            app.bundledSite();
        } else {
            if (!Files.isDirectory(root)) throw new ParameterException(spec.commandLine(), "--root " + root + " is not a directory");
            app.staticFiles(root);
        }
        DemoApi.install(app);
        AccessLog log = switch (accessLog) {
            case "off" -> null;
            case "stderr" -> AccessLog.toStderr();
            case "-" -> AccessLog.toStdout();
            default -> AccessLog.toFile(Path.of(accessLog));
        };
        ServerStats stats = new ServerStats();
        HttpOptions options = new HttpOptions(maxBody, headerTimeout, keepAliveTimeout, log);
        HttpService http = new HttpService(app, options, stats);
        ServePipeline pipeline = ServePipeline.tcp(server, "http", DEFAULT_PORT).stats(stats);
        if (log != null) pipeline.closeAtExit(log);
        return pipeline.serve(http);
    }
}
