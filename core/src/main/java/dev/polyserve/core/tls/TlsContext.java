package dev.polyserve.core.tls;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's TLS configuration: the certificate chain and key from PEM files, the protocol versions, the cipher
 * suites and the ALPN protocols; it makes one {@link SSLEngine} per connection. {@link #reload} re-reads the files
 * (on SIGHUP): connections made afterwards get the new certificate, open ones keep theirs, and a bad file leaves the
 * old configuration serving.
 *
 * <p>The engines come from the {@link TlsProvider} asked for: the JDK's, or Conscrypt's (BoringSSL), whose context
 * is given the key as Conscrypt's own through a {@link ServerKeyManager} (see {@link #build}); protocols, suites, ALPN and the peer's address
 * are set the same way for both.
 *
 * <p>Cipher suites are the AEAD ones with forward secrecy: TLS 1.3's, and ECDHE with AES-GCM or ChaCha20-Poly1305
 * for TLS 1.2 (Mozilla's "intermediate" profile without its DHE suites). No CBC suite (Lucky13-class padding
 * oracles) and no static-RSA key exchange.
 */
public final class TlsContext {
    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);

    /** TLS 1.3 and 1.2: every maintained client speaks one of them; 1.0 and 1.1 are deprecated by RFC 8996. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** ALPN for an HTTP/1.1 server: curl and browsers offer {@code h2,http/1.1} and settle on this. */
    public static final List<String> ALPN_HTTP_1_1 = List.of("http/1.1");

    /** The suites offered, in server preference order; those the JDK lacks are left out. */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static {
        // A client may not start a renegotiation (TLS 1.2): each one costs the server a full handshake, a cheap
        // denial of service (testssl.sh flags it); nginx refuses it too. The JDK reads the switch once, when its
        // handshake classes load, so it is set before the first context is made; an explicit -D setting wins.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    private final Path certFile;
    private final Path keyFile;
    private final List<String> protocols;
    private final List<String> alpn;
    private final Provider jca; // null: the JDK's own
    private volatile Loaded current;

    /** What one load produced; swapped whole, so an engine never mixes an old key with a new chain. */
    private record Loaded(SSLContext context, SSLParameters parameters, X509Certificate leaf, PrivateKey key) {}

    private TlsContext(Path certFile, Path keyFile, List<String> protocols, List<String> alpn, TlsProvider provider) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.protocols = List.copyOf(protocols);
        this.alpn = List.copyOf(alpn);
        this.jca = provider.jcaProvider();
    }

    /**
     * Loads {@code certFile} (PEM chain, leaf first) and {@code keyFile} (PEM private key) for a server speaking
     * {@code protocols} and offering {@code alpn} (empty: no ALPN).
     *
     * @throws IllegalArgumentException with a one-line message when a file is unreadable, the key does not match
     *                                  the certificate, or no protocol is usable
     */
    public static TlsContext load(Path certFile, Path keyFile, List<String> protocols, List<String> alpn) {
        return load(certFile, keyFile, protocols, alpn, TlsProvider.JDK);
    }

    /** As {@link #load(Path, Path, List, List)}, with engines from {@code provider} (the JDK's when it cannot load). */
    public static TlsContext load(Path certFile, Path keyFile, List<String> protocols, List<String> alpn, TlsProvider provider) {
        TlsContext c = new TlsContext(Objects.requireNonNull(certFile), Objects.requireNonNull(keyFile), protocols, alpn,
                provider);
        c.current = c.read();
        return c;
    }

    /**
     * A context over a certificate and key already in memory (tests, {@link SelfSignedCertificate}); it cannot
     * {@link #reload}.
     */
    public static TlsContext of(List<X509Certificate> chain, PrivateKey key, List<String> protocols, List<String> alpn) {
        return of(chain, key, protocols, alpn, TlsProvider.JDK);
    }

    /** As {@link #of(List, PrivateKey, List, List)}, with engines from {@code provider}. */
    public static TlsContext of(List<X509Certificate> chain, PrivateKey key, List<String> protocols, List<String> alpn,
                                TlsProvider provider) {
        TlsContext c = new TlsContext(null, null, protocols, alpn, provider);
        c.current = c.build(chain, key, "the given key");
        return c;
    }

    /**
     * Re-reads the files. On success, new connections get the new certificate; on failure the old one keeps
     * serving and the reason is logged. Returns whether it took.
     */
    public boolean reload() {
        if (certFile == null) return false;
        try {
            Loaded next = read();
            current = next;
            log.info("TLS: reloaded {} (subject {}, valid until {})", certFile,
                    next.leaf().getSubjectX500Principal().getName(), next.leaf().getNotAfter().toInstant());
            return true;
        } catch (IllegalArgumentException e) {
            log.warn("TLS: reload failed, still serving the previous certificate: {}", e.getMessage());
            return false;
        }
    }

    /** A server-side engine for one connection, with this context's protocols, suites and ALPN. */
    public SSLEngine newServerEngine() {
        return newServerEngine(null);
    }

    /**
     * As {@link #newServerEngine()}, for a connection from {@code peer} (may be null): its session records the peer's
     * address and port, and sessions resumed from it keep them (FTPS checks with them that a data connection resumed
     * its control connection's session).
     */
    public SSLEngine newServerEngine(SocketAddress peer) {
        Loaded l = current;
        SSLEngine engine = peer instanceof InetSocketAddress a && a.getAddress() != null
                ? l.context().createSSLEngine(a.getAddress().getHostAddress(), a.getPort())
                : l.context().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(l.parameters());
        return engine;
    }

    /** The leaf certificate now served. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    /** The private key the handshakes sign with: Conscrypt's own object under Conscrypt (tests check it is). */
    PrivateKey servedKey() {
        return current.key();
    }

    public List<String> protocols() {
        return protocols;
    }

    /** What makes the engines: {@link TlsProvider#JDK} or {@link TlsProvider#CONSCRYPT} (never AUTO: it is resolved). */
    public TlsProvider provider() {
        return jca == null ? TlsProvider.JDK : TlsProvider.CONSCRYPT;
    }

    /** The provider for a log line: "JDK 25" or "Conscrypt 2.5.2 (BoringSSL)". */
    public String providerDescription() {
        return jca == null ? "JDK " + Runtime.version().feature() : jca.getName() + " " + Conscrypts.get().version() + " (BoringSSL)";
    }

    private Loaded read() {
        List<X509Certificate> chain = Pem.readCertificates(certFile);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        return build(chain, key, keyFile.toString());
    }

    private Loaded build(List<X509Certificate> chain, PrivateKey key, String keyName) {
        X509Certificate leaf = chain.getFirst();
        if (!matches(key, leaf)) {
            throw new IllegalArgumentException(keyName + " is not the key of the certificate"
                    + (certFile == null ? "" : " in " + certFile) + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
        if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
            log.warn("TLS: the certificate{} expired on {}; clients will refuse it", certFile == null ? "" : " in " + certFile,
                    leaf.getNotAfter().toInstant());
        }
        try {
            SSLContext context;
            PrivateKey served = key;
            if (jca == null) {
                char[] password = "polyserve".toCharArray(); // in memory only: the KeyStore API wants one
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("server", key, password, chain.toArray(X509Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, password);
                context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
            } else {
                // Conscrypt asks the key manager for a certificate by key type alone, which the JDK's default (PKIX)
                // one answers with none (BoringSSL: NO_CERTIFICATE_SET); ours answers with the one we serve.
                context = SSLContext.getInstance("TLS", jca);
                served = nativeKey(key);
                context.init(new KeyManager[] {new ServerKeyManager(chain, served)}, null, null);
            }
            return new Loaded(context, parameters(context), leaf, served);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("TLS: cannot use this certificate and key: " + e.getMessage());
        }
    }

    /**
     * The key as Conscrypt's own (a BoringSSL key parsed once, here), so its handshakes sign with it directly; the
     * JDK's key when Conscrypt has no factory for its type, which Conscrypt then converts per handshake as before.
     */
    private PrivateKey nativeKey(PrivateKey key) {
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), jca).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            log.debug("TLS: Conscrypt cannot take the {} key as its own ({}); it converts it per handshake", key.getAlgorithm(),
                    e.toString());
            return key;
        }
    }

    private SSLParameters parameters(SSLContext context) {
        SSLParameters supported = context.getSupportedSSLParameters();
        List<String> known = Arrays.asList(supported.getProtocols());
        for (String p : protocols) {
            if (!known.contains(p)) {
                throw new IllegalArgumentException("TLS protocol " + p + " is not one " + providerDescription() + " knows ("
                        + String.join(", ", known) + ")");
            }
        }
        if (protocols.isEmpty()) throw new IllegalArgumentException("no TLS protocol enabled");
        List<String> suites = new ArrayList<>(CIPHER_SUITES);
        suites.retainAll(Arrays.asList(supported.getCipherSuites()));
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        p.setCipherSuites(suites.toArray(String[]::new));
        p.setUseCipherSuitesOrder(true);
        if (!alpn.isEmpty()) p.setApplicationProtocols(alpn.toArray(String[]::new));
        return p;
    }

    /** Signs a probe with the key and checks it with the certificate's public key: any key type, no parsing. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> null;
        };
        if (algorithm == null) throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
        try {
            byte[] probe = "polyserve key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key against an RSA certificate
        }
    }
}
