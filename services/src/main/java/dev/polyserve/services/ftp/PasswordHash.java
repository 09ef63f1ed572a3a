package dev.polyserve.services.ftp;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2-HMAC-SHA256 password hashes in the form {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (salt and
 * hash in unpadded base64), the JDK's own implementation, so no extra library.
 */
public final class PasswordHash {
    /**
     * Default work factor: OWASP's Password Storage Cheat Sheet (2023) recommends 600,000 iterations for
     * PBKDF2-HMAC-SHA256. Each hash keeps its own count, so raising this later does not break old entries.
     */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Fewest iterations accepted when creating a hash: below this a stolen file is cheap to brute-force. */
    public static final int MIN_ITERATIONS = 1_000;
    /** 16 random bytes of salt, as NIST SP 800-132 asks (at least 128 bits). */
    private static final int SALT_BYTES = 16;
    /** 256-bit derived key: the HMAC-SHA256 output size. */
    private static final int KEY_BITS = 256;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {}

    /** A new hash of {@code password} with a fresh salt. */
    public static String create(char[] password, int iterations) {
        if (iterations < MIN_ITERATIONS) throw new IllegalArgumentException("at least " + MIN_ITERATIONS + " iterations");
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] key = derive(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(key);
    }

    /** True if {@code password} matches {@code encoded}; false for a wrong password or a malformed hash. */
    static boolean verify(char[] password, String encoded) {
        String[] f = encoded.split("\\$");
        if (f.length != 4 || !f[0].equals(SCHEME)) return false;
        try {
            int iterations = Integer.parseInt(f[1]);
            if (iterations < 1) return false;
            byte[] salt = Base64.getDecoder().decode(f[2]);
            byte[] expected = Base64.getDecoder().decode(f[3]);
            return MessageDigest.isEqual(expected, derive(password, salt, iterations));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True if {@code encoded} has the shape this class writes (for validating a users file on load). */
    static boolean wellFormed(String encoded) {
        String[] f = encoded.split("\\$");
        if (f.length != 4 || !f[0].equals(SCHEME)) return false;
        try {
            return Integer.parseInt(f[1]) > 0 && Base64.getDecoder().decode(f[2]).length > 0
                    && Base64.getDecoder().decode(f[3]).length == KEY_BITS / 8;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
