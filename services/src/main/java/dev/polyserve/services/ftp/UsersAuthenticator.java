package dev.polyserve.services.ftp;

import dev.polyserve.core.LogLimiter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users file as an {@link Authenticator} for a running server: re-read when it changes (checked at each login,
 * one {@code stat}) or on {@link #reload()} (SIGHUP); recent verified logins answered from a {@link CredentialCache};
 * and at most {@link #MAX_CONCURRENT_VERIFICATIONS} PBKDF2 hashes at once, so a login flood queues instead of taking
 * every core from the transfers. A login that waited {@code queueTimeout} for its turn is refused with
 * {@link Authenticator.Overloaded} (the session answers 421).
 */
public final class UsersAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(UsersAuthenticator.class);
    private static final LogLimiter LIMITED = new LogLimiter(LOG, Duration.ofMinutes(1), 3);

    /**
     * Hashes verified at once: one per core. A hash is pure CPU, so more at once only makes each slower, and the
     * cores left to the event loops are what keeps transfers going during a flood.
     */
    public static final int MAX_CONCURRENT_VERIFICATIONS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /**
     * Longest wait for a turn to verify before 421: FileZilla gives up on a silent server after 20 s by default, so a
     * login queued longer is most likely answering nobody. 200 cold logins at 0.2 CPU-s on two cores take 20 s.
     */
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(30);
    /** How long a verified login is remembered: mod_authn_socache's AuthnCacheTimeout default, 300 seconds. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);

    /** What the file looked like when read: any change to it (rewrite, atomic rename, touch) changes this. */
    private record Stamp(Object fileKey, long modifiedNanos, long size) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
        }
    }

    /** The users in force, the stamp of the file they came from and a generation that each reload bumps. */
    private record State(UsersFile users, Stamp stamp, long generation) {}

    private final Path file;
    private final Path root;
    private final CredentialCache cache;
    /** Turns to run a hash (package-private: a test holds them all to see a queued login refused). */
    final Semaphore verifications;
    private final int maxVerifications;
    private final AtomicLong hashes = new AtomicLong();
    private final Duration queueTimeout;
    private volatile State state;
    /** The stamp of the last version that failed to load, so it is reported once and not re-read at every login. */
    private volatile Stamp broken;

    private UsersAuthenticator(Path file, Path root, CredentialCache cache, int maxVerifications, Duration queueTimeout,
                               State initial) {
        this.file = file;
        this.root = root;
        this.cache = cache;
        this.verifications = new Semaphore(maxVerifications, true);
        this.maxVerifications = maxVerifications;
        this.queueTimeout = queueTimeout;
        this.state = initial;
    }

    /** Reads {@code file} (relative homes are taken against {@code root}) with the default limits and cache TTL. */
    public static UsersAuthenticator open(Path file, Path root, Duration cacheTtl) throws IOException {
        return open(file, root, cacheTtl, MAX_CONCURRENT_VERIFICATIONS, DEFAULT_QUEUE_TIMEOUT, Clock.systemUTC());
    }

    static UsersAuthenticator open(Path file, Path root, Duration cacheTtl, int maxVerifications, Duration queueTimeout,
                                   Clock clock) throws IOException {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (maxVerifications < 1) throw new IllegalArgumentException("at least one verification at a time");
        Stamp stamp = stampOrNull(file);
        State initial = new State(UsersFile.load(file), stamp, 0);
        return new UsersAuthenticator(file, root, new CredentialCache(cacheTtl, clock), maxVerifications, queueTimeout,
                initial);
    }

    /** How many users are in force now. */
    public int size() {
        return state.users().entries().size();
    }

    /** Password hashes computed so far: logins the cache did not answer. */
    public long hashesComputed() {
        return hashes.get();
    }

    @Override
    public Optional<Account> authenticate(String user, char[] password) {
        State s = current();
        Optional<UsersFile.Entry> entry = s.users().get(user);
        if (entry.isEmpty()) return Optional.empty();
        Optional<Account> hit = cache.lookup(user, password);
        if (hit.isPresent()) return hit;
        try {
            if (!verifications.tryAcquire(queueTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                LIMITED.warn("queue", "login for {} refused: waited {} for one of {} password checks",
                        FtpSession.printable(user), queueTimeout, maxVerifications);
                throw new Overloaded();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Overloaded();
        }
        try {
            // A login of the same user and password may have verified while this one queued (a client fleet logging
            // in at once with one account): its answer is in the cache now, so 200 such logins cost one hash per
            // permit, not 200.
            hit = cache.lookup(user, password);
            if (hit.isPresent()) return hit;
            hashes.incrementAndGet();
            if (!PasswordHash.verify(password, entry.get().hash())) return Optional.empty();
            Account a = new Account(entry.get().name(), root.resolve(entry.get().home()), entry.get().canWrite());
            synchronized (this) {
                // a reload meanwhile cleared the cache: an answer from the old file must not go back into it
                if (state.generation() == s.generation()) cache.put(user, password, a);
            }
            return Optional.of(a); // cached before the permit goes back, so the next in the queue finds it
        } finally {
            verifications.release();
        }
    }

    /** Re-reads the file now (SIGHUP); on a read or format error the users in force stay and a WARN line says why. */
    public void reload() {
        Stamp stamp;
        try {
            stamp = stampOrNull(file);
        } catch (IOException e) {
            LOG.warn("users file {} not reloaded: {}", file, e.toString());
            return;
        }
        load(stamp, true);
    }

    /** The users in force, re-read first if the file changed since. */
    private State current() {
        State s = state;
        Stamp now;
        try {
            now = stampOrNull(file);
        } catch (IOException e) {
            LIMITED.warn("stat", "users file {} unreadable, keeping its last version: {}", file, e.toString());
            return s;
        }
        if (Objects.equals(now, s.stamp()) || Objects.equals(now, broken)) return s;
        return load(now, false);
    }

    private synchronized State load(Stamp stamp, boolean forced) {
        State s = state;
        if (!forced && Objects.equals(stamp, s.stamp())) return s; // another login reloaded it meanwhile
        UsersFile users;
        try {
            users = UsersFile.load(file);
        } catch (IOException e) {
            broken = stamp;
            LOG.warn("users file {} not reloaded, keeping the {} users in force: {}", file,
                    s.users().entries().size(), e.getMessage());
            return s;
        }
        broken = null;
        State next = new State(users, stamp, s.generation() + 1);
        state = next;
        cache.clear();
        LOG.info("users file {} reloaded: {} users", file, users.entries().size());
        return next;
    }

    /** The file's stamp, or null when it does not exist (no users: every login fails). */
    private static Stamp stampOrNull(Path file) throws IOException {
        try {
            return Stamp.of(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
