import dev.polyserve.core.tls.*;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.*;
import java.security.KeyStore;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.*;

/**
 * Server CPU per phase of one TLS connection, in memory (no sockets, no scheduling), through polyserve's own
 * TlsContext: creating the engine, the full handshake against a JDK client (TLS 1.3, ALPN http/1.1), one GET and a
 * 1 KiB answer, and the close; timed on the thread's CPU clock after as many warm-up connections.
 * Usage: java -cp polyserve.jar ConnectionCost.java jdk|conscrypt COUNT CERT_DIR (see connection-cpu.sh).
 */
public class ConnectionCost {
    static com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    static long[] t = new long[4];
    public static void main(String[] a) throws Exception {
        TlsProvider prov = TlsProvider.parse(a[0]); int n = Integer.parseInt(a[1]); Path dir = Path.of(a[2]);
        TlsContext ctx = TlsContext.load(dir.resolve("cert.pem"), dir.resolve("key.pem"), TlsContext.DEFAULT_PROTOCOLS, TlsContext.ALPN_HTTP_1_1, prov);
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(dir.resolve("cert.pem")));
        KeyStore ts = KeyStore.getInstance("PKCS12"); ts.load(null, null); ts.setCertificateEntry("c", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX"); tmf.init(ts);
        SSLContext client = SSLContext.getInstance("TLS"); client.init(null, tmf.getTrustManagers(), null);
        byte[] get = "GET /1k.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\n\r\n".getBytes();
        byte[] resp = new byte[1024 + 200];
        int warm = n;
        for (int i = 0; i < n + warm; i++) {
            if (i == warm) Arrays.fill(t, 0);
            SSLEngine c = client.createSSLEngine("localhost", 443); c.setUseClientMode(true);
            SSLParameters cp = c.getSSLParameters(); cp.setApplicationProtocols(new String[] {"http/1.1"}); c.setSSLParameters(cp);
            ByteBuffer c2s = ByteBuffer.allocate(65536), s2c = ByteBuffer.allocate(65536), capp = ByteBuffer.allocate(65536);
            long t0 = cpu();
            SSLEngine s = ctx.newServerEngine(new InetSocketAddress("127.0.0.1", 40000 + (i % 20000)));
            s.beginHandshake();
            ByteBuffer appIn = ByteBuffer.allocate(s.getSession().getApplicationBufferSize());
            t[0] += cpu() - t0;
            c.beginHandshake();
            for (int step = 0; step < 100 && !(done(c) && done(s)); step++) {
                s2c.flip(); drive(c, s2c, c2s, capp, false); s2c.compact();
                c2s.flip(); t0 = cpu(); drive(s, c2s, s2c, appIn, true); t[1] += cpu() - t0; c2s.compact();
            }
            if (!(done(c) && done(s))) throw new IllegalStateException("handshake did not finish");
            // client's GET
            c.wrap(ByteBuffer.wrap(get), c2s); c2s.flip();
            t0 = cpu();
            while (c2s.hasRemaining()) { var r = s.unwrap(c2s, appIn); if (r.bytesConsumed() == 0) break; }
            appIn.clear();
            ByteBuffer out = ByteBuffer.allocate(resp.length + 256);
            s.wrap(ByteBuffer.wrap(resp), out);
            t[2] += cpu() - t0;
            c2s.compact();
            t0 = cpu();
            s.closeOutbound(); ByteBuffer cl = ByteBuffer.allocate(s.getSession().getPacketBufferSize()); s.wrap(ByteBuffer.allocate(0), cl);
            try { s.closeInbound(); } catch (SSLException ignored) {}
            t[3] += cpu() - t0;
        }
        System.out.printf("%s: per connection, ms server CPU: create %.3f  handshake %.3f  GET+answer %.3f  close %.3f  total %.3f (%d after %d warm-up)%n",
            prov, t[0]/1e6/n, t[1]/1e6/n, t[2]/1e6/n, t[3]/1e6/n, (t[0]+t[1]+t[2]+t[3])/1e6/n, n, warm);
    }
    static long cpu() { return bean.getCurrentThreadCpuTime(); }
    static boolean done(SSLEngine e) { var h = e.getHandshakeStatus(); return h == NOT_HANDSHAKING || h == FINISHED; }
    static void drive(SSLEngine e, ByteBuffer src, ByteBuffer dst, ByteBuffer app, boolean server) throws Exception {
        for (int k = 0; k < 20; k++) {
            var h = e.getHandshakeStatus();
            if (h == NEED_TASK) { for (Runnable r; (r = e.getDelegatedTask()) != null; ) r.run(); continue; }
            if (h == NEED_WRAP) { e.wrap(ByteBuffer.allocate(0), dst); continue; }
            if (h == NEED_UNWRAP && src.hasRemaining()) { var r = e.unwrap(src, app); app.clear(); if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) return; continue; }
            return;
        }
    }
}
