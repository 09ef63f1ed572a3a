package dev.polyserve.cli.ftp;

import dev.polyserve.cli.Main;
import dev.polyserve.cli.ServePipeline;
import dev.polyserve.cli.ServerOptions;
import dev.polyserve.services.ftp.Authenticator;
import dev.polyserve.services.ftp.FtpConfig;
import dev.polyserve.services.ftp.FtpServer;
import dev.polyserve.services.ftp.PortRange;
import dev.polyserve.services.ftp.UsersFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code polyserve serve ftp --root DIR [--port 2121] [--users FILE | --anonymous] [--passive-ports A-B]}:
 * the FTP server on any model. Prints the one "listening on" line and serves until SIGINT/SIGTERM.
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
            description = "Directory served: anonymous users see it as /, relative homes in --users start here.")
    Path root;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Access access;

    static final class Access {
        @Option(names = "--users", paramLabel = "FILE", description = "Users file (make one with `polyserve ftp-user add`).")
        Path users;

        @Option(names = "--anonymous", description = "Anonymous read-only access to --root.")
        boolean anonymous;
    }

    @Option(names = "--passive-ports", paramLabel = "FIRST-LAST",
            description = "Ports for PASV/EPSV data connections (default: ${DEFAULT-VALUE}).")
    String passivePorts = FtpConfig.DEFAULT_PASSIVE_PORTS.toString();

    @Option(names = "--max-per-ip", paramLabel = "N",
            description = "Control connections one address may hold; more get 421 (default: ${DEFAULT-VALUE}).")
    int maxPerIp = FtpConfig.DEFAULT_MAX_PER_IP;

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
        Authenticator auth;
        String who;
        if (access.anonymous) {
            auth = Authenticator.anonymous(rootDir);
            who = "anonymous read-only";
        } else {
            if (!Files.isRegularFile(access.users)) {
                throw new ParameterException(spec.commandLine(),
                        "--users " + access.users + " does not exist; create it with polyserve ftp-user add");
            }
            UsersFile users;
            try {
                users = UsersFile.load(access.users);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--users " + Main.describe(e));
            }
            auth = Authenticator.users(users, rootDir);
            who = users.entries().size() + " user(s) from " + access.users;
        }
        FtpConfig cfg = FtpConfig.defaults(auth).withPassivePorts(range).withMaxConnectionsPerIp(maxPerIp);
        return ServePipeline.tcp(server, "ftp", DEFAULT_PORT).serve((builder, layers) -> {
            if (layers.tls() != null) {
                // TLS on the control connection alone would leave every file and listing in plaintext
                throw new IllegalArgumentException("serve ftp does not speak FTPS yet; --tls-cert works with echo, chat, "
                        + "http and exec");
            }
            FtpServer ftp = FtpServer.start(builder, cfg, layers);
            LOG.info("serving {} to {}; passive ports {}", rootDir, who, range);
            return new ServePipeline.Running() {
                @Override public InetSocketAddress localAddress() { return ftp.localAddress(); }
                @Override public String model() { return ftp.control().config().model(); }
                @Override public void stop(Duration grace) { ftp.stop(grace); }
            };
        });
    }
}
