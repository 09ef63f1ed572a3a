package dev.polyserve.services.ftp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Credentials that verified recently, as Apache httpd's {@code mod_authn_socache} keeps them: a repeat login with the
 * same user and password costs one HMAC instead of a full PBKDF2 hash. What is kept per user is
 * {@code HMAC-SHA256(key, user NUL password)} under a key drawn at random when the cache is made and never stored, so
 * the cache's memory holds neither passwords nor anything that can be checked against guesses without that key. A
 * wrong password misses (it has another MAC) and pays the full hash as before.
 *
 * <p>Entries live for the TTL from their verification and at most {@link #MAX_ENTRIES} at once, least recently
 * used dropped first. Thread-safe (one lock around a map; a hit holds it for a hash-map look-up).
 */
final class CredentialCache {
    /**
     * Users remembered at once: each entry is about 200 bytes, so the bound keeps the cache near 2 MB however many
     * accounts log in (mod_authn_socache's default shmcb store is sized alike).
     */
    static final int MAX_ENTRIES = 10_000;
    private static final String MAC = "HmacSHA256";

    private record Verified(byte[] mac, Account account, Instant expires) {}

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Verified> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** A cache whose entries last {@code ttl}; {@link Duration#ZERO} keeps nothing. */
    CredentialCache(Duration ttl, Clock clock) {
        if (ttl.isNegative()) throw new IllegalArgumentException("negative cache TTL");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, MAC);
        Arrays.fill(k, (byte) 0);
        this.ttl = ttl;
        this.clock = clock;
    }

    boolean enabled() {
        return !ttl.isZero();
    }

    /** The account {@code user} logged in as with this very password, if that was verified within the TTL. */
    Optional<Account> lookup(String user, char[] password) {
        if (!enabled()) return Optional.empty();
        byte[] mac = mac(user, password);
        synchronized (entries) {
            Verified e = entries.get(user);
            if (e == null) return Optional.empty();
            if (!clock.instant().isBefore(e.expires())) {
                entries.remove(user);
                return Optional.empty();
            }
            return MessageDigest.isEqual(e.mac(), mac) ? Optional.of(e.account()) : Optional.empty();
        }
    }

    /** Remembers that {@code user} with {@code password} verified as {@code account}. */
    void put(String user, char[] password, Account account) {
        if (!enabled()) return;
        Verified e = new Verified(mac(user, password), account, clock.instant().plus(ttl));
        synchronized (entries) {
            entries.put(user, e);
        }
    }

    /** Forgets everything (the users file changed: a password or a home may have). */
    void clear() {
        synchronized (entries) {
            entries.clear();
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private byte[] mac(String user, char[] password) {
        ByteBuffer pw = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            Mac m = Mac.getInstance(MAC);
            m.init(key);
            m.update(user.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0); // user names have no NUL, so (user, password) pairs cannot run into each other
            m.update(pw);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        } finally {
            if (pw.hasArray()) Arrays.fill(pw.array(), (byte) 0);
        }
    }
}
