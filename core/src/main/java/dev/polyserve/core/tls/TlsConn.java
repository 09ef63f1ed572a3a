package dev.polyserve.core.tls;

import dev.polyserve.core.Conn;
import javax.net.ssl.SSLSession;

/**
 * The connection a handler behind {@link TlsService} sees: a {@link Conn} whose bytes are the decrypted stream,
 * plus what a protocol needs to know about its TLS session. Under {@link TlsService#startLater} it begins in
 * plaintext and {@link #startTls} switches it, as FTP's {@code AUTH TLS} and SMTP's {@code STARTTLS} do.
 */
public interface TlsConn extends Conn {

    /** True once TLS is on (the handshake may still be running); false while a {@code startLater} conn is plaintext. */
    boolean isSecure();

    /**
     * Switches a plaintext connection to TLS: every byte written before this call goes out as plaintext (write the
     * "go ahead" reply first), every byte after it is encrypted, and bytes read from now on are the client's
     * handshake. Call it from a handler method (the connection's serial context). Idempotent.
     */
    default void startTls() {
        startTls(null);
    }

    /**
     * As {@link #startTls()}, and runs {@code established} (if not null) in the connection's serial context once the
     * handshake has finished, before any byte written meanwhile is encrypted and sent: a protocol can check the
     * session first and {@link #abort} the connection instead (FTPS: a data connection must resume the control
     * connection's session, or it could belong to someone else).
     */
    void startTls(Runnable established);

    /** The negotiated session once the handshake finished, else null. */
    SSLSession session();

    /** The ALPN protocol agreed on (e.g. {@code "http/1.1"}), or null when none was. */
    String applicationProtocol();
}
