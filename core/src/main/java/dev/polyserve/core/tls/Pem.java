package dev.polyserve.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files (RFC 7468) as OpenSSL, certbot and {@code polyserve cert} write them: a certificate chain, leaf first,
 * and a private key in PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1
 * ({@code BEGIN EC PRIVATE KEY}). Read with the JDK alone; the two older key forms are rewrapped as PKCS#8.
 * Errors are {@link IllegalArgumentException}s whose message is one line naming the file.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    /** rsaEncryption and id-ecPublicKey: the algorithm identifiers a PKCS#8 wrapper names. */
    private static final String RSA_OID = "1.2.840.113549.1.1.1", EC_OID = "1.2.840.10045.2.1";

    private Pem() {}

    /** One block: its label ("CERTIFICATE", "PRIVATE KEY") and decoded bytes. */
    record Block(String label, byte[] der) {}

    static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return out;
    }

    /** The certificates in {@code file}, leaf first. */
    public static List<X509Certificate> readCertificates(Path file) {
        String text = readText(file, "certificate");
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(text)) {
                if (!b.label().equals("CERTIFICATE")) continue;
                chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is not a readable PEM certificate: " + e.getMessage());
        }
        if (chain.isEmpty()) throw new IllegalArgumentException(file + " holds no PEM certificate (BEGIN CERTIFICATE)");
        return chain;
    }

    /** The private key in {@code file}: RSA, EC or EdDSA. */
    public static PrivateKey readPrivateKey(Path file) {
        String text = readText(file, "key");
        for (Block b : blocks(text)) {
            if (b.label().equals("ENCRYPTED PRIVATE KEY")) {
                throw new IllegalArgumentException(file
                        + " holds an encrypted key; give the server an unencrypted one (openssl pkey -in KEY -out PLAIN)");
            }
            try {
                switch (b.label()) {
                    case "PRIVATE KEY" -> {
                        return pkcs8(b.der());
                    }
                    case "RSA PRIVATE KEY" -> {
                        return pkcs8(Der.sequence(Der.integer(0), Der.sequence(Der.oid(RSA_OID), Der.nul()), Der.octets(b.der())));
                    }
                    case "EC PRIVATE KEY" -> {
                        return pkcs8(Der.sequence(Der.integer(0), Der.sequence(Der.oid(EC_OID), sec1Curve(b.der())),
                                Der.octets(b.der())));
                    }
                    default -> {
                        // EC PARAMETERS and the like travel beside keys: skip them
                    }
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " holds a " + b.label() + " that cannot be read: " + e.getMessage());
            }
        }
        throw new IllegalArgumentException(file + " holds no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** PEM text of one block, 64 columns as RFC 7468 asks. */
    public static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** SEC1's ECPrivateKey carries its curve as {@code [0] parameters}; PKCS#8 wants it in the algorithm identifier. */
    private static byte[] sec1Curve(byte[] der) {
        for (Der.Element e : Der.read(der, 0).children()) {
            if (e.tag() == 0xa0) return e.children()[0].encoded();
        }
        throw new IllegalArgumentException("the EC key names no curve");
    }

    private static String readText(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1); // any bytes: a DER file then just has no PEM block
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot read the " + what + " file ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }
}
