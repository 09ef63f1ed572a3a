package dev.polyserve.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A self-signed development certificate and its key, made with the JDK alone: an EC P-256 key (fast handshakes,
 * what mkcert and Let's Encrypt issue by default) and an X.509 v3 certificate written by {@link Der} and signed with
 * {@code SHA256withECDSA}. The JDK can sign but not build a certificate without {@code --add-exports} into
 * {@code sun.security.x509}; writing the hundred bytes of structure ourselves avoids both that flag and a 9 MB
 * BouncyCastle dependency for one development command.
 *
 * <p>Like {@code openssl req -x509}, the certificate is its own CA ({@code basicConstraints CA:TRUE}), so a client
 * told to trust it ({@code curl --cacert cert.pem}) accepts it as the anchor. It names every host given as a
 * subjectAltName (DNS names, or IP addresses for literals) plus 127.0.0.1 and ::1, and carries the key identifiers
 * strict verifiers (Python 3.13's {@code VERIFY_X509_STRICT}) insist on.
 */
public final class SelfSignedCertificate {
    /** 397 days: the longest validity browsers accept for a server certificate since 2020. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(397);

    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2", COMMON_NAME = "2.5.4.3", ORGANIZATION = "2.5.4.10",
            SUBJECT_KEY_ID = "2.5.29.14", KEY_USAGE = "2.5.29.15", SUBJECT_ALT_NAME = "2.5.29.17",
            BASIC_CONSTRAINTS = "2.5.29.19", AUTHORITY_KEY_ID = "2.5.29.35", EXT_KEY_USAGE = "2.5.29.37",
            SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private final X509Certificate certificate;
    private final PrivateKey key;

    private SelfSignedCertificate(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey key() {
        return key;
    }

    /** A new key and a certificate for {@code hosts} (the first is the subject's CN), valid from an hour ago. */
    public static SelfSignedCertificate generate(List<String> hosts, Duration validity) {
        if (hosts.isEmpty()) throw new IllegalArgumentException("a certificate needs at least one host name");
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            byte[] spki = pair.getPublic().getEncoded();
            byte[] keyId = keyIdentifier(spki);
            byte[] algorithm = Der.sequence(Der.oid(ECDSA_SHA256));
            byte[] name = Der.sequence(
                    Der.set(Der.sequence(Der.oid(ORGANIZATION), Der.utf8("polyserve development certificate"))),
                    Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8(hosts.getFirst()))));
            ZonedDateTime now = ZonedDateTime.now();
            byte[] serial = new byte[16];
            new SecureRandom().nextBytes(serial);
            byte[] tbs = Der.sequence(
                    Der.explicit(0, Der.integer(2)), // v3
                    Der.integer(new BigInteger(1, serial)),
                    algorithm,
                    name,
                    Der.sequence(Der.time(now.minusHours(1)), Der.time(now.plus(validity))),
                    name,
                    spki,
                    Der.explicit(3, Der.sequence(
                            extension(BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))),
                            // digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, two unused bits
                            extension(KEY_USAGE, true, Der.bits(new byte[] {(byte) 0x84}, 2)),
                            extension(EXT_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH))),
                            extension(SUBJECT_ALT_NAME, false, subjectAltNames(hosts)),
                            extension(SUBJECT_KEY_ID, false, Der.octets(keyId)),
                            extension(AUTHORITY_KEY_ID, false, Der.sequence(Der.implicitPrimitive(0, keyId))))));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(tbs);
            byte[] der = Der.sequence(tbs, algorithm, Der.bits(signer.sign(), 0));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return new SelfSignedCertificate(cert, pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make an EC P-256 certificate: " + e, e);
        }
    }

    /**
     * Writes {@code cert.pem} and {@code key.pem} (owner-only, where the file system has permissions) into
     * {@code dir}, creating it; refuses to overwrite either.
     */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path cert = dir.resolve("cert.pem"), keyFile = dir.resolve("key.pem");
        for (Path p : List.of(cert, keyFile)) {
            if (Files.exists(p)) throw new IllegalArgumentException(p + " exists; remove it or pick another --out");
        }
        try {
            Files.writeString(cert, Pem.encode("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        try {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(keyFile);
        }
        Files.writeString(keyFile, Pem.encode("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value))
                : Der.sequence(Der.oid(oid), Der.octets(value));
    }

    /** dNSName [2] for names, iPAddress [7] for literals; loopback addresses always, so https://127.0.0.1 works too. */
    private static byte[] subjectAltNames(List<String> hosts) {
        List<String> all = new ArrayList<>(hosts);
        for (String loopback : List.of("127.0.0.1", "::1")) {
            if (all.stream().noneMatch(h -> sameAddress(h, loopback))) all.add(loopback);
        }
        List<byte[]> names = new ArrayList<>();
        for (String h : all) {
            byte[] ip = ipLiteral(h);
            names.add(ip != null ? Der.implicitPrimitive(7, ip) : Der.implicitPrimitive(2, h.getBytes(StandardCharsets.US_ASCII)));
        }
        return Der.sequence(names.toArray(byte[][]::new));
    }

    private static boolean sameAddress(String host, String literal) {
        byte[] a = ipLiteral(host);
        return a != null && java.util.Arrays.equals(a, ipLiteral(literal));
    }

    /** The address bytes when {@code host} is an IPv4 or IPv6 literal, else null (never a DNS lookup). */
    private static byte[] ipLiteral(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean v4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) return null;
        try {
            return InetAddress.getByName(h).getAddress(); // a literal: parsed, not resolved
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + host);
        }
    }

    /** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bit string. */
    private static byte[] keyIdentifier(byte[] spki) throws GeneralSecurityException {
        Der.Element[] parts = Der.read(spki, 0).children();
        byte[] bits = parts[1].contents();
        return MessageDigest.getInstance("SHA-1").digest(java.util.Arrays.copyOfRange(bits, 1, bits.length));
    }
}
