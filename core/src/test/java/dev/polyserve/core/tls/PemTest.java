package dev.polyserve.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates and keys in the PEM forms servers are given, and the errors for the ones that will not do. */
class PemTest {
    @TempDir
    Path dir;

    @Test
    void theDevelopmentCertificateRoundTripsAndNamesItsHosts() throws Exception {
        SelfSignedCertificate c = SelfSignedCertificate.generate(List.of("example.test", "10.0.0.7"), Duration.ofDays(30));
        c.writeTo(dir);
        var chain = Pem.readCertificates(dir.resolve("cert.pem"));
        assertThat(chain).containsExactly(c.certificate());
        assertThat(Pem.readPrivateKey(dir.resolve("key.pem"))).isEqualTo(c.key());
        assertThat(Files.getPosixFilePermissions(dir.resolve("key.pem")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        var names = c.certificate().getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList();
        assertThat(names).contains("example.test", "10.0.0.7", "127.0.0.1").anyMatch(n -> n.startsWith("0:0:0:0:0:0:0:1"));
        assertThat(c.certificate().getBasicConstraints()).as("its own CA").isGreaterThanOrEqualTo(0);
        c.certificate().verify(c.certificate().getPublicKey()); // self-signed: verifies with its own key
        TlsContext ctx = TlsContext.load(dir.resolve("cert.pem"), dir.resolve("key.pem"), TlsContext.DEFAULT_PROTOCOLS, List.of());
        assertThat(ctx.certificate()).isEqualTo(c.certificate());
        assertThatThrownBy(() -> c.writeTo(dir)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exists");
    }

    @Test
    void rsaKeysInPkcs8AndPkcs1AreRead() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        PrivateKey key = g.generateKeyPair().getPrivate();
        Path p8 = write("p8.pem", Pem.encode("PRIVATE KEY", key.getEncoded()));
        assertThat(Pem.readPrivateKey(p8)).isEqualTo(key);
        // PKCS#8's privateKey OCTET STRING holds the PKCS#1 RSAPrivateKey: the "BEGIN RSA PRIVATE KEY" body
        byte[] pkcs1 = Der.read(key.getEncoded(), 0).children()[2].contents();
        Path p1 = write("p1.pem", Pem.encode("RSA PRIVATE KEY", pkcs1));
        assertThat(Pem.readPrivateKey(p1)).isEqualTo(key);
    }

    @Test
    void ecKeysInSec1WithTheirParametersBlockAreRead() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair pair = g.generateKeyPair();
        ECPrivateKey key = (ECPrivateKey) pair.getPrivate();
        // what `openssl ecparam -genkey -name secp384r1` writes: EC PARAMETERS, then EC PRIVATE KEY with [0] curve
        byte[] curve = Der.oid("1.3.132.0.34");
        byte[] scalar = key.getS().toByteArray();
        byte[] fixed = new byte[48];
        int from = Math.max(0, scalar.length - 48);
        System.arraycopy(scalar, from, fixed, 48 - (scalar.length - from), scalar.length - from);
        byte[] sec1 = Der.sequence(Der.integer(BigInteger.ONE), Der.octets(fixed), Der.explicit(0, curve));
        Path f = write("ec.pem", Pem.encode("EC PARAMETERS", curve) + Pem.encode("EC PRIVATE KEY", sec1));
        ECPrivateKey read = (ECPrivateKey) Pem.readPrivateKey(f);
        assertThat(read.getS()).isEqualTo(key.getS());
        assertThat(read.getParams().getCurve()).isEqualTo(key.getParams().getCurve());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedInOneLine() throws Exception {
        SelfSignedCertificate a = SelfSignedCertificate.generate(List.of("localhost"), Duration.ofDays(1));
        SelfSignedCertificate b = SelfSignedCertificate.generate(List.of("localhost"), Duration.ofDays(1));
        a.writeTo(dir.resolve("a"));
        b.writeTo(dir.resolve("b"));
        assertThatThrownBy(() -> TlsContext.load(dir.resolve("a/cert.pem"), dir.resolve("b/key.pem"),
                TlsContext.DEFAULT_PROTOCOLS, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("b/key.pem is not the key of the certificate")
                .hasMessageNotContaining("\n");
    }

    @Test
    void unreadableOrWrongFilesAreNamedInTheError() throws Exception {
        assertThatThrownBy(() -> Pem.readCertificates(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem").hasMessageContaining("cannot read");
        Path notPem = write("der.bin", "\u0030\u0082 binary");
        assertThatThrownBy(() -> Pem.readCertificates(notPem)).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> Pem.readPrivateKey(notPem)).hasMessageContaining("no PEM private key");
        Path encrypted = write("enc.pem", Pem.encode("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Pem.readPrivateKey(encrypted)).hasMessageContaining("encrypted key");
        Path brokenCert = write("broken.pem", Pem.encode("CERTIFICATE", new byte[] {0x30, 0x03, 1, 2, 3}));
        assertThatThrownBy(() -> Pem.readCertificates(brokenCert)).hasMessageContaining("not a readable PEM certificate");
        assertThatThrownBy(() -> TlsContext.load(dir.resolve("x"), dir.resolve("y"), List.of("TLSv9"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownProtocolIsRefused() throws Exception {
        SelfSignedCertificate a = SelfSignedCertificate.generate(List.of("localhost"), Duration.ofDays(1));
        assertThatThrownBy(() -> TlsContext.of(List.of(a.certificate()), a.key(), List.of("TLSv1.4"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLSv1.4");
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text, java.nio.charset.StandardCharsets.ISO_8859_1);
        return p;
    }
}
