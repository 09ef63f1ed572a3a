package dev.polyserve.cli.ftp;

import dev.polyserve.core.Server;
import dev.polyserve.services.ftp.Authenticator;
import dev.polyserve.services.ftp.FtpConfig;
import dev.polyserve.services.ftp.FtpServer;
import dev.polyserve.services.ftp.PortRange;
import dev.polyserve.services.ftp.UsersFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code polyserve serve ftp --root DIR [--port 2121] [--users FILE | --anonymous] [--passive-ports A-B]}:
 * the FTP server on any model. Prints one "listening on" line to stdout and serves until interrupted.
 */
@Command(name = "ftp", mixinStandardHelpOptions = true,
        description = {"FTP file server (RFC 959, 2428, 3659, 2640) on any model.",
                "Passive data connections run on the same model as the control connection."})
public final class FtpServeCommand implements Callable<Integer> {
    /** FTP's port 21 needs root; 2121 is the customary unprivileged stand-in (pyftpdlib's default too). */
    public static final int DEFAULT_PORT = 2121;
    /** vsftpd's idle_session_timeout default: five minutes without a command. */
    static final Duration DEFAULT_IDLE = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "directory served (anonymous users see it as /; relative homes in --users start here)")
    Path root;

    @Option(names = "--host", paramLabel = "ADDR", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "control port (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port = DEFAULT_PORT;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "concurrency model (default: ${DEFAULT-VALUE}); see polyserve models")
    String model = "nio";

    @Option(names = "--workers", paramLabel = "N", description = "loops or pool threads for models that have a fixed number (default: the model's own)")
    int workers;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "421 and close after this long without a command (default: ${DEFAULT-VALUE})")
    long idleSeconds = DEFAULT_IDLE.toSeconds();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Access access;

    static final class Access {
        @Option(names = "--users", paramLabel = "FILE", description = "users file (see polyserve ftp-user add)")
        Path users;

        @Option(names = "--anonymous", description = "anonymous read-only access to --root")
        boolean anonymous;
    }

    @Option(names = "--passive-ports", paramLabel = "FIRST-LAST", description = "ports for PASV/EPSV data connections (default: ${DEFAULT-VALUE})")
    String passivePorts = FtpConfig.DEFAULT_PASSIVE_PORTS.toString();

    @Option(names = "--max-per-ip", paramLabel = "N", description = "control connections one address may hold (default: ${DEFAULT-VALUE})")
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
        Path rootDir = root.toAbsolutePath().normalize();
        Authenticator auth;
        String who;
        if (access.anonymous) {
            auth = Authenticator.anonymous(rootDir);
            who = "anonymous read-only";
        } else {
            if (!Files.isRegularFile(access.users)) {
                throw new ParameterException(spec.commandLine(), "--users " + access.users + " does not exist; create it with polyserve ftp-user add");
            }
            UsersFile users = UsersFile.load(access.users);
            auth = Authenticator.users(users, rootDir);
            who = users.entries().size() + " user(s) from " + access.users;
        }
        FtpConfig cfg = FtpConfig.defaults(auth).withPassivePorts(range).withMaxConnectionsPerIp(maxPerIp);
        Server.Builder b = Server.tcp(port).host(host).model(model).idleTimeout(Duration.ofSeconds(idleSeconds)).workers(workers);
        FtpServer ftp;
        try {
            ftp = FtpServer.start(b, cfg);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Thread hook = new Thread(() -> ftp.stop(Server.DEFAULT_GRACE), "polyserve-ftp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("polyserve ftp listening on " + ftp.localAddress().getAddress().getHostAddress() + ":"
                + ftp.localAddress().getPort() + " (model " + model + ", passive ports " + range + ", " + who + ", root " + rootDir + ")");
        System.out.flush();
        ftp.control().awaitStopped();
        return 0;
    }
}
