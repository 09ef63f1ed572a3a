package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Await;
import dev.polyserve.core.tls.Pem;
import dev.polyserve.core.tls.TestTls;
import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code polyserve cert} and {@code --tls-cert/--tls-key} as a user runs them, with a JDK TLS client. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsCommandsTest {
    @TempDir
    Path dir;

    private Path cert(String name) throws Exception {
        Path out = dir.resolve(name);
        try (PolyserveProcess p = PolyserveProcess.start("cert", "--out", out.toString())) {
            assertThat(p.process.waitFor()).isZero();
            assertThat(p.remainingStdout()).isEqualTo(out.resolve("cert.pem") + "\n" + out.resolve("key.pem") + "\n");
        }
        return out;
    }

    private static X509Certificate servedCertificate(int port, X509Certificate trusted) throws Exception {
        try (SSLSocket s = (SSLSocket) TestTls.clientContext(trusted).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(new DataInputStream(s.getInputStream()).readNBytes(3), StandardCharsets.US_ASCII))
                    .isEqualTo("hi\n");
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    /**
     * Served over TLS, then SIGHUP: reloaded in place (nio) or by a rolling restart of the workers (prefork), on the
     * JDK's TLS and on Conscrypt's.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"nio, jdk", "nio, conscrypt", "prefork, jdk", "prefork, conscrypt"})
    void echoOverTlsAndSighupServesANewCertificate(String model, String provider) throws Exception {
        Path a = cert("a");
        Path b = cert("b");
        Path live = Files.createDirectories(dir.resolve("live"));
        Files.copy(a.resolve("cert.pem"), live.resolve("cert.pem"));
        Files.copy(a.resolve("key.pem"), live.resolve("key.pem"));
        X509Certificate first = Pem.readCertificates(a.resolve("cert.pem")).getFirst();
        X509Certificate second = Pem.readCertificates(b.resolve("cert.pem")).getFirst();
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--model", model, "--workers", "2", "--port", "0",
                "--tls-provider", provider,
                "--tls-cert", live.resolve("cert.pem").toString(), "--tls-key", live.resolve("key.pem").toString())) {
            int port = PolyserveProcess.port(p.awaitListening());
            assertThat(servedCertificate(port, first)).isEqualTo(first);

            Files.copy(b.resolve("cert.pem"), live.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(b.resolve("key.pem"), live.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
            new ProcessBuilder("kill", "-HUP", Long.toString(p.process.pid())).inheritIO().start().waitFor();
            Await.until(Duration.ofSeconds(60), "new connections get the new certificate", () -> {
                try {
                    return servedCertificate(port, second).equals(second);
                } catch (Exception stillOld) {
                    return false;
                }
            });
            assertThat(p.terminate()).isZero();
        }
    }

    /**
     * HTTPS with curl on each provider: the log names the provider that serves, curl offers h2 and HTTP/1.1 by ALPN
     * and settles on HTTP/1.1, and the file arrives whole.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"jdk, JDK", "conscrypt, Conscrypt 2.5.2 (BoringSSL)", "auto, Conscrypt 2.5.2 (BoringSSL)"})
    void curlGetsAFileOverHttpsOnEachProvider(String provider, String served) throws Exception {
        Path a = cert("a");
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("hello.txt"), "hello over " + provider + "\n");
        Path err = dir.resolve("err.log");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "http", "--port", "0", "--root", site.toString(),
                "--tls-provider", provider, "--log-level", "info",
                "--tls-cert", a.resolve("cert.pem").toString(), "--tls-key", a.resolve("key.pem").toString())) {
            int port = PolyserveProcess.port(p.awaitListening());
            Process curl = new ProcessBuilder("curl", "-sS", "--cacert", a.resolve("cert.pem").toString(),
                    "-w", "\n%{http_code} %{http_version}", "https://localhost:" + port + "/hello.txt")
                    .redirectErrorStream(true).start();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(out).isZero();
            assertThat(out).isEqualTo("hello over " + provider + "\n\n200 1.1");
            assertThat(p.terminate()).isZero();
        }
        String expected = served.equals("JDK") ? "JDK " + Runtime.version().feature() : served;
        assertThat(Files.readString(err)).contains("http: TLS (TLSv1.3, TLSv1.2, " + expected + ")");
    }

    @Test
    void anUnknownProviderIsExit2() throws Exception {
        Path a = cert("a");
        Path err = dir.resolve("err.log");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "echo", "--port", "0", "--tls-provider", "openssl",
                "--tls-cert", a.resolve("cert.pem").toString(), "--tls-key", a.resolve("key.pem").toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2);
        }
        assertThat(Files.readString(err)).contains("unknown TLS provider 'openssl' (jdk, conscrypt or auto)");
    }

    @Test
    void aKeyThatDoesNotMatchIsOneLineAndExit2() throws Exception {
        Path a = cert("a");
        Path b = cert("b");
        Path err = dir.resolve("err.log");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "echo", "--port", "0",
                "--tls-cert", a.resolve("cert.pem").toString(), "--tls-key", b.resolve("key.pem").toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2);
            assertThat(p.remainingStdout()).isEmpty();
        }
        assertThat(Files.readAllLines(err)).singleElement().asString().startsWith("polyserve: " + b.resolve("key.pem")
                + " is not the key of the certificate in " + a.resolve("cert.pem") + " (CN=localhost,O=polyserve development certificate)");
    }

    @Test
    void aMissingHalfOrFileIsExit2() throws Exception {
        Path a = cert("a");
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--port", "0", "--tls-cert", a.resolve("cert.pem").toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2);
        }
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--port", "0",
                "--tls-cert", dir.resolve("nope.pem").toString(), "--tls-key", a.resolve("key.pem").toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2);
        }
        try (PolyserveProcess p = PolyserveProcess.start("cert", "--out", a.toString())) {
            assertThat(p.process.waitFor()).as("cert refuses to overwrite").isEqualTo(2);
        }
    }

    /** Implicit FTPS is a second listener, which the multi-process engines do not have: refused up front, one line. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"prefork", "process"})
    void implicitTlsPortOnAMultiProcessModelIsOneLineAndExit2(String model) throws Exception {
        Path a = cert("a");
        Path root = Files.createDirectories(dir.resolve("root"));
        Path err = dir.resolve("err.log");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "ftp", "--root", root.toString(), "--anonymous", "--port", "0",
                "--model", model, "--tls-cert", a.resolve("cert.pem").toString(), "--tls-key", a.resolve("key.pem").toString(),
                "--implicit-tls-port", "0")) {
            assertThat(p.process.waitFor()).isEqualTo(2);
            assertThat(p.remainingStdout()).isEmpty();
        }
        assertThat(Files.readAllLines(err)).singleElement().asString()
                .startsWith("polyserve: --implicit-tls-port runs on in-process models, not --model " + model);
    }
}
