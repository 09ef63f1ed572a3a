package dev.polyserve.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.TestHandlers;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Choosing the provider, and serving with the JDK when Conscrypt cannot load. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsProviderTest {
    @TempDir
    Path dir;

    /** The Conscrypt-parameterised tests mean something only if Conscrypt really loads here (Linux x86-64). */
    @Test
    void conscryptLoadsOnThisMachine() {
        assertThat(TlsProvider.conscryptAvailable()).isTrue();
        TlsContext c = TestTls.server(TlsProvider.AUTO);
        assertThat(c.provider()).isEqualTo(TlsProvider.CONSCRYPT);
        assertThat(c.providerDescription()).matches("Conscrypt \\d+\\.\\d+\\.\\d+ \\(BoringSSL\\)");
        assertThat(TestTls.server(TlsProvider.JDK).providerDescription()).isEqualTo("JDK " + Runtime.version().feature());
    }

    @Test
    void namesParseAsTheOptionWritesThem() {
        assertThat(TlsProvider.parse("jdk")).isEqualTo(TlsProvider.JDK);
        assertThat(TlsProvider.parse("Conscrypt")).isEqualTo(TlsProvider.CONSCRYPT);
        assertThat(TlsProvider.parse(" auto ")).isEqualTo(TlsProvider.AUTO);
        assertThatThrownBy(() -> TlsProvider.parse("openssl")).hasMessage("unknown TLS provider 'openssl' (jdk, conscrypt or auto)");
    }

    /**
     * A server JVM where Conscrypt cannot load, asked for it by name and by auto: it serves TLS with the JDK, and says
     * so in one log line. {@code broken-native}: a library that is not an ELF file shadows Conscrypt's own (as one
     * built for another platform would), so its JNI load fails; {@code no-jar}: Conscrypt is not on the class path.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"broken-native", "no-jar"})
    void withoutConscryptTheServerFallsBackToTheJdkWithOneLogLine(String how) throws Exception {
        List<String> classPath = new ArrayList<>(Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator)));
        if (how.equals("no-jar")) {
            assertThat(classPath.removeIf(e -> e.contains("conscrypt"))).isTrue();
        } else {
            Path nativeDir = Files.createDirectories(dir.resolve("shadow/META-INF/native"));
            Files.writeString(nativeDir.resolve("libconscrypt_openjdk_jni-linux-x86_64.so"), "not a shared object\n");
            classPath.addFirst(dir.resolve("shadow").toString());
        }
        Path err = dir.resolve("stderr.log");
        TestTls.CERT.writeTo(dir.resolve("cert")); // the child serves the certificate this JVM's client trusts
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", String.join(File.pathSeparator, classPath), Child.class.getName(),
                dir.resolve("cert").toString())
                .redirectError(err.toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("the child's report (stderr: %s)", Files.exists(err) ? Files.readString(err) : "")
                    .isEqualTo("serving with JDK " + Runtime.version().feature() + " and JDK " + Runtime.version().feature()
                            + " on " + line.substring(line.lastIndexOf(' ') + 1));
            int port = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
            try (SSLSocket s = TestTls.over(new Socket("127.0.0.1", port))) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write("over the JDK\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(13), StandardCharsets.US_ASCII)).isEqualTo("over the JDK\n");
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
            child.getOutputStream().close(); // the child stops when its stdin ends
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        List<String> fallback = Files.readAllLines(err).stream().filter(l -> l.contains("Conscrypt is unavailable")).toList();
        assertThat(fallback).as(Files.readAllLines(err).stream().collect(Collectors.joining("\n"))).singleElement().asString()
                .contains("WARN").contains("serving TLS with the JDK's provider")
                .contains(how.equals("no-jar") ? "ClassNotFoundException" : "UnsatisfiedLinkError");
    }

    /** The server in the child JVM: a context by name, one by auto (files in args[0]), an echo server over the first. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            Path cert = Path.of(args[0], "cert.pem"), key = Path.of(args[0], "key.pem");
            TlsContext named = TlsContext.load(cert, key, TlsContext.DEFAULT_PROTOCOLS, List.of(), TlsProvider.CONSCRYPT);
            TlsContext auto = TlsContext.load(cert, key, TlsContext.DEFAULT_PROTOCOLS, List.of(), TlsProvider.AUTO);
            Server server = Server.tcp(0).host("127.0.0.1").model("nio")
                    .service(TlsService.of(TestHandlers.echo(), named, ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT)).start();
            System.out.println("serving with " + named.providerDescription() + " and " + auto.providerDescription() + " on "
                    + server.localAddress().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
            server.stop(Duration.ofSeconds(2));
        }
    }
}
