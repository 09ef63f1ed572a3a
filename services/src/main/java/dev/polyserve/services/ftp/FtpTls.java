package dev.polyserve.services.ftp;

import dev.polyserve.core.tls.TlsConn;
import dev.polyserve.core.tls.TlsContext;
import java.util.Objects;
import javax.net.ssl.SSLSession;

/**
 * FTPS (RFC 4217) for an FTP service: the certificate, and how strict the server is.
 *
 * @param context             the server's TLS configuration, shared by control and data connections, so a data
 *                            connection can resume its control connection's session (see {@link #markOf})
 * @param required            no USER/PASS before AUTH TLS (530) and no transfer without PROT P (521): vsftpd's
 *                            {@code force_local_logins_ssl} and {@code force_local_data_ssl}
 * @param requireSessionReuse a PROT P data connection must resume the control connection's TLS session, else it is
 *                            refused (522): vsftpd's {@code require_ssl_reuse}, on by default there and here. Without it,
 *                            anyone who can reach a passive port from the client's address and wins the race to it
 *                            could take the transfer with a TLS session of their own.
 */
public record FtpTls(TlsContext context, boolean required, boolean requireSessionReuse) {
    public FtpTls {
        Objects.requireNonNull(context, "context");
    }

    /** FTPS with {@code context}'s certificate (the very context the options made, so SIGHUP reloads reach FTPS too). */
    public static FtpTls of(TlsContext context, boolean required, boolean requireSessionReuse) {
        return new FtpTls(context, required, requireSessionReuse);
    }

    /**
     * What identifies {@code control}'s session in the sessions resumed from it: its creation time, its cipher suite,
     * and the client address and port of the connection that made it. The JDK has no "was this resumed, and from
     * what" call; a resumed session keeps all of these from the session it resumes (JDK's {@code SSLSessionImpl}
     * copies them, for TLS 1.2 session IDs and TLS 1.3 tickets alike, and stateless tickets carry them), while a full
     * handshake on a data connection gets its own time and the data connection's port, never the control
     * connection's, which that connection holds. Only the client that did the control handshake holds the secret to
     * resume it, and the passive port already admits only the control connection's address. ProFTPD checks the same
     * lineage with OpenSSL's ticket app data (proftpd issue 968).
     *
     * <p>Why not a value bound to the control session: bound values survive only in the server's stateful cache, and
     * the JDK's TLS 1.3 cache entries are single-use ({@code SSLSessionContextImpl.pull}). A client that resumes the
     * control session's own ticket on every data connection, as Python's ftplib recipe and FileZilla do, would then
     * fail from its second transfer on. Stateless tickets (the JDK's default) can be resumed again and again.
     */
    static Object markOf(TlsConn control) {
        SSLSession s = control.session();
        return s == null ? null : Mark.of(s);
    }

    /** True when {@code data}'s session was resumed from the session {@code mark} identifies. */
    static boolean resumed(SSLSession data, Object mark) {
        return mark instanceof Mark m && data != null && m.peerPort() > 0 && Mark.of(data).equals(m);
    }

    /** The peer is the server engine's ({@code TlsContext.newServerEngine(peer)}): the client's address and port. */
    private record Mark(long creationTime, String cipherSuite, String peerHost, int peerPort) {
        static Mark of(SSLSession s) {
            return new Mark(s.getCreationTime(), s.getCipherSuite(), s.getPeerHost(), s.getPeerPort());
        }
    }
}
