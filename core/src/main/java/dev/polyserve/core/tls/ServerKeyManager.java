package dev.polyserve.core.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The one certificate chain and key a server context serves, handed to Conscrypt as they are: its key manager is
 * asked for them on every handshake. The key is Conscrypt's own (a BoringSSL key made once, see
 * {@link TlsContext}), so no handshake re-parses it; the JDK's SunX509 manager, used before, gave back the JDK's key,
 * which Conscrypt parsed from PKCS#8 on each handshake (BoringSSL also derives the EC public key, which the JDK's
 * encoding leaves out): about 0.1 ms of the handshake's 0.6-0.7 ms of server CPU (docs/bench/tls.md, run 4). Server side only; it offers nothing to a client.
 */
final class ServerKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "server";

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    ServerKeyManager(List<X509Certificate> chain, PrivateKey key) {
        this.chain = List.copyOf(chain);
        this.key = key;
    }

    /** Ours when the handshake asks for our key's type ("EC", "RSA"); issuers are a client-certificate notion. */
    private String aliasFor(String keyType) {
        return key.getAlgorithm().equals(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.toArray(X509Certificate[]::new) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
