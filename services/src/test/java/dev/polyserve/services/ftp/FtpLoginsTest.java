package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Logins against a live users file over real sockets with Commons Net: cache, reload on change, 421 when queued. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FtpLoginsTest {
    @TempDir
    Path dir;

    static Stream<String> models() {
        return Stream.of("virtual", "nio", "epoll").filter(Engines.availableNames()::contains);
    }

    private static void add(Path file, String name, String password) throws IOException {
        UsersFile f = UsersFile.load(file);
        f.put(new UsersFile.Entry(name, true, PasswordHash.create(password.toCharArray(), PasswordHash.MIN_ITERATIONS), "."));
        f.save(file);
    }

    private static FTPClient connect(FtpServer s) throws IOException {
        FTPClient c = new FTPClient();
        c.setDefaultTimeout(30_000);
        c.connect("127.0.0.1", s.localAddress().getPort());
        c.setSoTimeout(30_000);
        return c;
    }

    @ParameterizedTest
    @MethodSource("models")
    void repeatLoginsHitTheCacheAUserAddedWhileRunningGetsInAndAQueuedLoginGets421(String model) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path file = dir.resolve("users");
        add(file, "alice", "pw-alice");
        UsersAuthenticator users = UsersAuthenticator.open(file, root, Duration.ofMinutes(5), 1, Duration.ofMillis(100),
                Clock.systemUTC());
        FtpConfig cfg = FtpConfig.defaults(users).withPassivePorts(FtpTestServer.freeRange())
                .withLoginFailures(Duration.ofMillis(20), LoginGuard.MAX_FAILURES, LoginGuard.DEFAULT_LOCKOUT);
        try (FtpServer s = FtpServer.start(Server.tcp(0).host("127.0.0.1").model(model), cfg)) {
            for (int i = 0; i < 3; i++) {
                FTPClient c = connect(s);
                assertThat(c.login("alice", "pw-alice")).as(c.getReplyString()).isTrue();
                c.disconnect();
            }
            assertThat(users.hashesComputed()).isEqualTo(1);

            add(file, "bob", "pw-bob");
            FTPClient bob = connect(s);
            assertThat(bob.login("bob", "pw-bob")).as(bob.getReplyString()).isTrue();
            bob.disconnect();
            FTPClient again = connect(s);
            assertThat(again.login("alice", "pw-alice")).as("the reload emptied the cache: hashed, cached again").isTrue();
            again.disconnect();
            assertThat(users.hashesComputed()).isEqualTo(3);

            users.verifications.acquire(); // the one turn is taken: bob's next login (not cached) must wait, then 421
            try {
                FTPClient c = connect(s);
                // Commons Net reports a 421 as the server closing the connection
                assertThatThrownBy(() -> c.login("bob", "not-cached"))
                        .isInstanceOf(FTPConnectionClosedException.class).hasMessageContaining("421");
                c.disconnect();
                FTPClient alice = connect(s);
                assertThat(alice.login("alice", "pw-alice")).as("cached: no turn needed").isTrue();
                alice.disconnect();
            } finally {
                users.verifications.release();
            }
        }
    }
}
