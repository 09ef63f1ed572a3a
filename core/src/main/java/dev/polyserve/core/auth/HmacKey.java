package dev.polyserve.core.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A shared secret for the HMAC gate, with the name the gate reports when a client proves it holds it.
 *
 * <p>A key file holds the secret's bytes as they are, except that one trailing {@code \n} or {@code \r\n} is
 * ignored, so {@code head -c 32 /dev/urandom > key} and a line written by an editor both work.
 */
public record HmacKey(String name, byte[] secret) {

    /**
     * Shortest secret accepted: 16 bytes (128 bits). HMAC-SHA256 is only as strong as its key, and a shorter,
     * typed password is open to offline guessing by anyone who records one challenge and its answer.
     */
    public static final int MIN_SECRET_BYTES = 16;

    public HmacKey {
        Objects.requireNonNull(name, "name");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("key '" + name + "' has " + secret.length + " bytes; at least "
                    + MIN_SECRET_BYTES + " are needed (make one with: head -c 32 /dev/urandom > FILE)");
        }
        secret = secret.clone();
    }

    /** Reads a key file (see the class comment for its format). */
    public static HmacKey read(String name, Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\n') n--;
        if (n > 0 && bytes[n - 1] == '\r' && n < bytes.length) n--;
        try {
            return new HmacKey(name, Arrays.copyOf(bytes, n));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "HmacKey[" + name + "]";   // never print the secret
    }
}
