package dev.polyserve.services.ftp;

import dev.polyserve.core.tls.TestTls;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/** Apache Commons Net FTPS clients for tests, trusting the test certificate. */
final class FtpsClients {
    private FtpsClients() {}

    /**
     * An FTPSClient that resumes the control connection's TLS session on its data connections, as FileZilla, curl and
     * lftp do. The JDK looks sessions up by the host and port a socket connects to, and a data connection goes to
     * another port; the known trick (Commons Net NET-408, used by Cyberduck) plants the control connection's session
     * in the JDK's client cache under the data connection's address before its handshake. It needs
     * {@code --add-opens java.base/sun.security.ssl} and works with TLS 1.2, whose sessions are reusable; a TLS 1.3
     * session ticket is used once and the next arrives on a data connection, so these clients speak TLS 1.2.
     */
    static final class Reusing extends FTPSClient {
        Reusing(boolean implicit) {
            super("TLS", implicit);
        }

        @Override
        protected void _prepareDataSocket_(Socket socket) throws IOException {
            if (socket == null || !(_socket_ instanceof SSLSocket control)) return;
            SSLSession session = control.getSession();
            if (!session.isValid()) return;
            SSLSessionContext cache = session.getSessionContext();
            try {
                Field f = cache.getClass().getDeclaredField("sessionHostPortCache");
                f.setAccessible(true);
                Object byHostPort = f.get(cache);
                Method put = byHostPort.getClass().getDeclaredMethod("put", Object.class, Object.class);
                put.setAccessible(true);
                String key = (socket.getInetAddress().getHostAddress() + ":" + socket.getPort()).toLowerCase(Locale.ROOT);
                put.invoke(byHostPort, key, session);
            } catch (ReflectiveOperationException e) {
                throw new IOException("cannot plant the control session for reuse: " + e, e);
            }
        }
    }

    /** A trust manager for the test certificate only. */
    static X509TrustManager trust() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("server", TestTls.CERT.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return (X509TrustManager) tmf.getTrustManagers()[0];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connected (explicit: AUTH TLS done; implicit: TLS from the start), logged in as the test user, PBSZ 0 and PROT P
     * sent, binary, passive.
     */
    static FTPSClient loggedIn(FTPSClient c, int port) throws IOException {
        c.setTrustManager(trust());
        c.setEndpointCheckingEnabled(true);
        c.setConnectTimeout(10_000);
        c.setDefaultTimeout(30_000);
        c.setDataTimeout(Duration.ofSeconds(30));
        c.connect("127.0.0.1", port);
        if (!FTPReply.isPositiveCompletion(c.getReplyCode())) throw new IOException("greeting: " + c.getReplyString());
        if (!c.login(FtpTestServer.USER, FtpTestServer.PASSWORD)) throw new IOException("login: " + c.getReplyString());
        c.execPBSZ(0);
        c.execPROT("P");
        c.enterLocalPassiveMode();
        c.setFileType(FTP.BINARY_FILE_TYPE);
        return c;
    }

    /** A session-reusing client speaking TLS 1.2 (see {@link Reusing}). */
    static FTPSClient reusing(boolean implicit) {
        FTPSClient c = new Reusing(implicit);
        c.setEnabledProtocols(new String[] {"TLSv1.2"});
        return c;
    }
}
