package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users file as a live authenticator: the credential cache, reloads on change and SIGHUP, the hash bound. */
class UsersAuthenticatorTest {
    private static final int ITERATIONS = PasswordHash.MIN_ITERATIONS;

    @TempDir
    Path dir;
    Path file;
    Path root;
    final TestClock clock = new TestClock();

    /** A clock tests move by hand. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-02T03:04:05Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    @BeforeEach
    void users() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        file = dir.resolve("users");
        save("alice", "pw-alice", true);
    }

    private void save(String name, String password, boolean write) throws IOException {
        UsersFile f = UsersFile.load(file);
        f.put(new UsersFile.Entry(name, write, PasswordHash.create(password.toCharArray(), ITERATIONS), name));
        f.save(file);
    }

    private UsersAuthenticator open(Duration ttl) throws IOException {
        return UsersAuthenticator.open(file, root, ttl, 2, Duration.ofMillis(50), clock);
    }

    @Test
    void aRepeatLoginIsAnsweredFromTheCacheAndAWrongPasswordStillPaysTheHash() throws IOException {
        UsersAuthenticator a = open(Duration.ofMinutes(5));
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).map(Account::home).contains(root.resolve("alice"));
        for (int i = 0; i < 5; i++) {
            assertThat(a.authenticate("alice", "pw-alice".toCharArray())).map(Account::canWrite).contains(true);
        }
        assertThat(a.hashesComputed()).isEqualTo(1);
        assertThat(a.authenticate("alice", "wrong".toCharArray())).isEmpty();
        assertThat(a.authenticate("alice", "wrong".toCharArray())).isEmpty();
        assertThat(a.hashesComputed()).isEqualTo(3);
        assertThat(a.authenticate("nobody", "pw-alice".toCharArray())).isEmpty();
        assertThat(a.hashesComputed()).as("no hash for a user who does not exist").isEqualTo(3);
    }

    @Test
    void cachedLoginsExpireAfterTheTtlAndATtlOfZeroCachesNothing() throws IOException {
        UsersAuthenticator a = open(Duration.ofMinutes(5));
        a.authenticate("alice", "pw-alice".toCharArray());
        clock.advance(Duration.ofMinutes(4));
        a.authenticate("alice", "pw-alice".toCharArray());
        assertThat(a.hashesComputed()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).isPresent();
        assertThat(a.hashesComputed()).as("expired: hashed again").isEqualTo(2);

        UsersAuthenticator off = open(Duration.ZERO);
        off.authenticate("alice", "pw-alice".toCharArray());
        off.authenticate("alice", "pw-alice".toCharArray());
        assertThat(off.hashesComputed()).isEqualTo(2);
    }

    @Test
    void aChangedUsersFileIsReadAtTheNextLoginAndEmptiesTheCache() throws IOException {
        UsersAuthenticator a = open(Duration.ofMinutes(5));
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).isPresent();
        save("alice", "new-pw", false); // ftp-user passwd: an atomic rename over the file
        save("bob", "pw-bob", false);
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).as("old password, though cached").isEmpty();
        assertThat(a.authenticate("alice", "new-pw".toCharArray())).map(Account::canWrite).contains(false);
        assertThat(a.authenticate("bob", "pw-bob".toCharArray())).isPresent();
        assertThat(a.size()).isEqualTo(2);
    }

    @Test
    void aBrokenUsersFileKeepsTheUsersInForceUntilItIsFixed() throws IOException {
        UsersAuthenticator a = open(Duration.ofMinutes(5));
        String good = Files.readString(file);
        Files.writeString(file, good + "garbage line\n", StandardCharsets.UTF_8);
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).isPresent();
        a.reload();
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).isPresent();
        Files.writeString(file, "", StandardCharsets.UTF_8);
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).as("fixed (emptied): read").isEmpty();
        assertThat(a.size()).isZero();
    }

    @Test
    void reloadRereadsTheFileEvenWhenItLooksUnchanged() throws IOException {
        UsersAuthenticator a = open(Duration.ofMinutes(5));
        a.authenticate("alice", "pw-alice".toCharArray());
        a.reload();
        a.authenticate("alice", "pw-alice".toCharArray());
        assertThat(a.hashesComputed()).as("SIGHUP empties the cache too").isEqualTo(2);
    }

    @Test
    void aLoginThatWaitsPastTheQueueDeadlineIsRefusedUncheckedAndACachedOneStillPasses() throws Exception {
        UsersAuthenticator a = open(Duration.ofMinutes(5));
        save("bob", "pw-bob", false);
        assertThat(a.authenticate("bob", "pw-bob".toCharArray())).isPresent();
        a.verifications.acquire(2); // two hashes running elsewhere
        try {
            assertThatThrownBy(() -> a.authenticate("alice", "pw-alice".toCharArray()))
                    .isInstanceOf(Authenticator.Overloaded.class);
            assertThat(a.authenticate("bob", "pw-bob".toCharArray())).as("a cache hit needs no turn").isPresent();
        } finally {
            a.verifications.release(2);
        }
        assertThat(a.authenticate("alice", "pw-alice".toCharArray())).isPresent();
    }

    @Test
    void loginsQueuedBehindTheSameUsersHashTakeItsAnswerFromTheCache() throws Exception {
        UsersAuthenticator a = UsersAuthenticator.open(file, root, Duration.ofMinutes(5), 1, Duration.ofMinutes(2), clock);
        int n = 20;
        a.verifications.acquire(); // the one permit is busy: every login below misses the cache and queues
        java.util.List<java.util.concurrent.Future<java.util.Optional<Account>>> logins = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) logins.add(pool.submit(() -> a.authenticate("alice", "pw-alice".toCharArray())));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (a.verifications.getQueueLength() < n && System.nanoTime() < deadline) Thread.onSpinWait();
            assertThat(a.verifications.getQueueLength()).isEqualTo(n);
            a.verifications.release();
            for (var f : logins) assertThat(f.get(1, java.util.concurrent.TimeUnit.MINUTES)).isPresent();
        }
        assertThat(a.hashesComputed()).as("the first to get the permit hashes; the rest find its answer").isEqualTo(1);
    }

    @Test
    void theCacheIsBoundedAndKeepsTheMostRecentlyUsed() {
        CredentialCache c = new CredentialCache(Duration.ofMinutes(5), clock);
        Account acct = new Account("u", root, false);
        c.put("first", "pw".toCharArray(), acct);
        for (int i = 0; i < CredentialCache.MAX_ENTRIES; i++) {
            c.put("user" + i, "pw".toCharArray(), acct);
            if (i == CredentialCache.MAX_ENTRIES / 2) c.lookup("user0", "pw".toCharArray()); // used: kept
        }
        assertThat(c.size()).isEqualTo(CredentialCache.MAX_ENTRIES);
        assertThat(c.lookup("first", "pw".toCharArray())).as("least recently used: dropped").isEmpty();
        assertThat(c.lookup("user0", "pw".toCharArray())).isPresent();
        assertThat(c.lookup("user0", "other".toCharArray())).isEmpty();
    }
}
