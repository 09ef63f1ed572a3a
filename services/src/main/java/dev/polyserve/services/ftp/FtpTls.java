package dev.polyserve.services.ftp;

import dev.polyserve.core.tls.TlsConn;
import dev.polyserve.core.tls.TlsContext;
import java.util.Objects;
import javax.net.ssl.SSLSession;

/**
 * FTPS (RFC 4217) for an FTP service: the certificate, and how strict the server is.
 *
 * @param context             the server's TLS configuration, resuming sessions from its own cache (see
 *                            {@link TlsContext#withStatefulResumption}), so the session check below can work
 * @param required            no USER/PASS before AUTH TLS (530) and no transfer without PROT P (521): vsftpd's
 *                            {@code force_local_logins_ssl} and {@code force_local_data_ssl}
 * @param requireSessionReuse a PROT P data connection must resume the control connection's TLS session, else it is
 *                            refused (522): vsftpd's {@code require_ssl_reuse}, on by default there and here. Without it,
 *                            anyone who can reach a passive port from the client's address and wins the race to it
 *                            could take the transfer with a TLS session of their own.
 */
public record FtpTls(TlsContext context, boolean required, boolean requireSessionReuse) {
    /**
     * The name under which a control connection's TLS session carries its mark. Sessions resumed from it share its
     * bound values, so a data connection's session carries the same mark exactly when it was resumed from the control
     * connection's (or from one of its resumptions): ProFTPD's check, with OpenSSL's ticket app data.
     */
    private static final String CONTROL_MARK = "polyserve.ftps.control";

    public FtpTls {
        Objects.requireNonNull(context, "context");
    }

    /** FTPS with {@code context}'s certificate, stateful resumption switched on for the session check. */
    public static FtpTls of(TlsContext context, boolean required, boolean requireSessionReuse) {
        return new FtpTls(context.withStatefulResumption(), required, requireSessionReuse);
    }

    /**
     * The mark of {@code control}'s session (made now if it has none): what its data connections' sessions must carry.
     * Two control connections of one client that resumed one session share a mark, which is sound: both hold its keys.
     */
    static Object markOf(TlsConn control) {
        SSLSession s = control.session();
        if (s == null) return null;
        synchronized (FtpTls.class) {
            Object mark = s.getValue(CONTROL_MARK);
            if (mark == null) {
                mark = new Object();
                s.putValue(CONTROL_MARK, mark);
            }
            return mark;
        }
    }

    /** True when {@code data}'s session was resumed from the session that carries {@code mark}. */
    static boolean resumed(SSLSession data, Object mark) {
        return mark != null && data != null && data.getValue(CONTROL_MARK) == mark;
    }
}
