package dev.polyserve.services.ftp;

import dev.polyserve.core.Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;

/** A loopback FTP server over a temporary root with a read-write user and anonymous read-only access. */
final class FtpTestServer implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "s3cret-pw";
    /** Low work factor: tests check the hashing logic, not its cost. */
    static final int TEST_ITERATIONS = PasswordHash.MIN_ITERATIONS;

    final Path root;
    final FtpServer server;

    FtpTestServer(String model, Path dir, UnaryOperator<FtpConfig> tweak, UnaryOperator<Server.Builder> builderTweak)
            throws IOException {
        this(model, dir, tweak, builderTweak, null, FtpServer.NO_IMPLICIT_PORT);
    }

    /** With FTPS ({@code tls}) and an implicit-TLS port ({@link FtpServer#NO_IMPLICIT_PORT}: none; 0: a free one). */
    FtpTestServer(String model, Path dir, UnaryOperator<FtpConfig> tweak, UnaryOperator<Server.Builder> builderTweak,
                  FtpTls tls, int implicitPort) throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        UsersFile users = UsersFile.load(dir.resolve("users"));
        users.put(new UsersFile.Entry(USER, true, PasswordHash.create(PASSWORD.toCharArray(), TEST_ITERATIONS), "."));
        Authenticator auth = Authenticator.users(users, root).orElse(Authenticator.anonymous(root));
        FtpConfig cfg = tweak.apply(FtpConfig.defaults(auth)
                .withPassivePorts(freeRange())
                .withLoginFailures(Duration.ofMillis(20), LoginGuard.MAX_FAILURES, LoginGuard.DEFAULT_LOCKOUT));
        server = FtpServer.start(builderTweak.apply(Server.tcp(0).host("127.0.0.1").model(model)), cfg, s -> s, tls,
                implicitPort);
    }

    FtpTestServer(String model, Path dir) throws IOException {
        this(model, dir, c -> c, b -> b);
    }

    /**
     * A passive range of 40 ports starting at a port that was free a moment ago: test runs in parallel
     * worktrees must not fight over a fixed range. Ports that get taken meanwhile are skipped by the server.
     */
    static PortRange freeRange() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first;
            try (ServerSocket s = new ServerSocket(0)) {
                first = s.getLocalPort();
            }
            if (first + 40 <= 65535 && first >= 1024) return new PortRange(first, first + 39);
        }
        throw new IOException("no free port range found");
    }

    int port() {
        return server.localAddress().getPort();
    }

    FTPClient client(boolean login) throws IOException {
        FTPClient c = new FTPClient();
        c.setConnectTimeout(10_000);
        c.setDefaultTimeout(30_000);
        c.connect("127.0.0.1", port());
        c.setSoTimeout(30_000);
        c.setDataTimeout(Duration.ofSeconds(30));
        if (!FTPReply.isPositiveCompletion(c.getReplyCode())) throw new IOException("greeting: " + c.getReplyString());
        if (login) {
            if (!c.login(USER, PASSWORD)) throw new IOException("login: " + c.getReplyString());
            c.enterLocalPassiveMode();
            c.setFileType(FTP.BINARY_FILE_TYPE);
        }
        return c;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(2));
    }
}
