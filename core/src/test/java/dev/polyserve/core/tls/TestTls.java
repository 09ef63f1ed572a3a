package dev.polyserve.core.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** One development certificate per test run, a server context over it and client sockets that trust it. */
public final class TestTls {
    /** Made once: an EC key and certificate for localhost, 127.0.0.1 and ::1. */
    public static final SelfSignedCertificate CERT = SelfSignedCertificate.generate(List.of("localhost"),
            SelfSignedCertificate.DEFAULT_VALIDITY);

    private static final SSLContext CLIENT = clientContext(CERT.certificate());

    private TestTls() {}

    /** The server side: TLS 1.3 and 1.2, no ALPN. */
    public static TlsContext server() {
        return server(TlsProvider.JDK);
    }

    /**
     * As {@link #server()}, on {@code provider}'s engines; a test asking for Conscrypt fails when it does not load
     * here, so a provider test cannot pass on the JDK unnoticed.
     */
    public static TlsContext server(TlsProvider provider) {
        TlsContext c = TlsContext.of(List.of(CERT.certificate()), CERT.key(), TlsContext.DEFAULT_PROTOCOLS, List.of(), provider);
        if (provider != TlsProvider.AUTO && c.provider() != provider) {
            throw new IllegalStateException("asked for " + provider + ", got " + c.providerDescription());
        }
        return c;
    }

    /** The providers the key tests run on: the JDK's and Conscrypt's. */
    public static List<TlsProvider> providers() {
        return List.of(TlsProvider.JDK, TlsProvider.CONSCRYPT);
    }

    /** A client context that trusts exactly {@code cert}. */
    public static SSLContext clientContext(X509Certificate cert) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JDK's client trusting the test certificate. */
    public static SSLContext client() {
        return CLIENT;
    }

    /** {@code connected} (a plain socket already connected to the server) with a TLS client layered over it. */
    public static SSLSocket over(Socket connected) throws IOException {
        SSLSocket s = (SSLSocket) CLIENT.getSocketFactory().createSocket(connected, "localhost", connected.getPort(), true);
        s.setUseClientMode(true);
        javax.net.ssl.SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name localhost, as curl would check
        s.setSSLParameters(p);
        return s;
    }
}
