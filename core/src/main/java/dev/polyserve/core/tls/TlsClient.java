package dev.polyserve.core.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The client side for polyserve's own clients ({@code polyserve chat --tls}, {@code polyserve ftp --tls}): a
 * blocking {@link SSLSocket} over a connected socket that checks the server's certificate and name as curl does,
 * against the JDK's trusted CAs, against one PEM file ({@code --ca}, e.g. a {@code polyserve cert} certificate),
 * or not at all ({@code --insecure}, curl's {@code -k}).
 */
public final class TlsClient {
    private final SSLContext context;
    private final boolean verifyHost;

    private TlsClient(SSLContext context, boolean verifyHost) {
        this.context = context;
        this.verifyHost = verifyHost;
    }

    /** Trusting the JDK's CA certificates (the system's public web PKI). */
    public static TlsClient system() {
        try {
            return new TlsClient(SSLContext.getDefault(), true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no default TLS context: " + e, e);
        }
    }

    /**
     * Trusting the certificates in {@code caFile} (a CA, or a self-signed server certificate) and nothing else.
     *
     * @throws IllegalArgumentException when the file holds no readable certificate (one line naming it)
     */
    public static TlsClient trusting(Path caFile) {
        List<X509Certificate> certs = Pem.readCertificates(caFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certs.size(); i++) store.setCertificateEntry("ca" + i, certs.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return new TlsClient(context(tmf.getTrustManagers()), true);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(caFile + ": cannot trust these certificates: " + e.getMessage());
        }
    }

    /** Trusting any certificate for any name: encryption without authentication, for testing only. */
    public static TlsClient insecure() {
        X509TrustManager any = new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
        return new TlsClient(context(new TrustManager[] {any}), false);
    }

    /** From a client's options: {@code --insecure}, {@code --ca FILE}, or the system's CAs. */
    public static TlsClient of(Path caFile, boolean insecure) {
        if (insecure && caFile != null) throw new IllegalArgumentException("--insecure and --ca contradict each other: pick one");
        return insecure ? insecure() : caFile != null ? trusting(caFile) : system();
    }

    /**
     * Layers TLS over {@code connected}, a socket connected to {@code host}, and runs the handshake (SNI and, unless
     * insecure, the host name checked against the certificate). Closing the result closes {@code connected}.
     */
    public SSLSocket handshake(Socket connected, String host) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(connected, host, connected.getPort(), true);
        s.setUseClientMode(true);
        SSLParameters p = s.getSSLParameters();
        if (verifyHost) p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** Whether the server's name is checked against its certificate (all but {@link #insecure}). */
    public boolean verifiesHost() {
        return verifyHost;
    }

    /** The context behind it, for clients that make their own sockets (an FTPS data connection). */
    public SSLContext context() {
        return context;
    }

    private static SSLContext context(TrustManager[] trust) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, trust, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
