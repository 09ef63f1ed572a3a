import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.*;
import javax.net.ssl.*;

/**
 * Server-side CPU per full TLS 1.3 handshake, in memory (no sockets, no scheduling): a JDK client engine against a
 * server engine from the JDK or from Conscrypt (BoringSSL), with a polyserve cert's EC P-256 key. The server engine's
 * calls are timed with the thread's CPU clock; the first half of the runs warm the JIT up and are not counted.
 * Usage: java [-Dkmf=SunX509] -cp CONSCRYPT_JAR HandshakeProbe.java jdk|conscrypt COUNT CERT_DIR (see handshake-cpu.sh).
 */
public class HandshakeProbe {
    public static void main(String[] a) throws Exception {
        String provider = a[0]; int n = Integer.parseInt(a[1]);
        Path dir = Path.of(a[2]);
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(Files.newInputStream(dir.resolve("cert.pem")));
        String pem = Files.readString(dir.resolve("key.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore ks = KeyStore.getInstance("PKCS12"); ks.load(null, null);
        ks.setKeyEntry("k", key, "p".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(System.getProperty("kmf", "PKIX")); kmf.init(ks, "p".toCharArray());
        SSLContext server = provider.equals("conscrypt")
            ? SSLContext.getInstance("TLS", (Provider) Class.forName("org.conscrypt.Conscrypt").getMethod("newProvider").invoke(null))
            : SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        KeyStore ts = KeyStore.getInstance("PKCS12"); ts.load(null, null); ts.setCertificateEntry("c", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX"); tmf.init(ts);
        SSLContext client = SSLContext.getInstance("TLS"); client.init(null, tmf.getTrustManagers(), null);
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long serverCpu = 0; long warm = n / 2;
        for (int i = 0; i < n + warm; i++) {
            SSLEngine c = client.createSSLEngine("localhost", 443); c.setUseClientMode(true);
            c.setEnabledProtocols(new String[] {"TLSv1.3"});
            SSLEngine s = server.createSSLEngine(); s.setUseClientMode(false);
            ByteBuffer c2s = ByteBuffer.allocate(65536), s2c = ByteBuffer.allocate(65536), app = ByteBuffer.allocate(65536);
            c.beginHandshake(); s.beginHandshake();
            long spent = 0;
            for (int step = 0; step < 100 && !(done(c) && done(s)); step++) {
                s2c.flip(); drive(c, s2c, c2s, app); s2c.compact();
                c2s.flip(); long t0 = bean.getCurrentThreadCpuTime(); drive(s, c2s, s2c, app); spent += bean.getCurrentThreadCpuTime() - t0; c2s.compact();
            }
            if (!(done(c) && done(s))) throw new IllegalStateException("handshake did not finish");
            if (i >= warm) serverCpu += spent;
        }
        System.out.printf("%s: %.2f ms server CPU per full TLS 1.3 handshake (%d handshakes after %d warm-up)%n",
            provider, serverCpu / 1e6 / n, n, warm);
    }
    static boolean done(SSLEngine e) {
        var h = e.getHandshakeStatus();
        return h == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || h == SSLEngineResult.HandshakeStatus.FINISHED;
    }
    /** One round for an engine: unwrap what it got (src, read mode), run tasks, wrap into dst (write mode). */
    static void drive(SSLEngine e, ByteBuffer src, ByteBuffer dst, ByteBuffer app) throws Exception {
        for (int k = 0; k < 20; k++) {
            var h = e.getHandshakeStatus();
            if (h == SSLEngineResult.HandshakeStatus.NEED_TASK) { for (Runnable r; (r = e.getDelegatedTask()) != null; ) r.run(); continue; }
            if (h == SSLEngineResult.HandshakeStatus.NEED_WRAP) { e.wrap(ByteBuffer.allocate(0), dst); continue; }
            if (h == SSLEngineResult.HandshakeStatus.NEED_UNWRAP && src.hasRemaining()) {
                var r = e.unwrap(src, app); app.clear();
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) return;
                continue;
            }
            return;
        }
    }
}
