package dev.polyserve.core.auth;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The one computation both halves of the gate agree on. */
final class Hmac {
    static final String ALGORITHM = "HmacSHA256";

    private Hmac() {}

    static byte[] sha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime must provide HmacSHA256; reaching this is a broken JDK.
            throw new IllegalStateException(ALGORITHM + " is unavailable", e);
        }
    }
}
