package dev.polyserve.cli.ftp;

import dev.polyserve.core.tls.TlsClient;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * Explicit FTPS (AUTH TLS) over Commons Net whose data connections resume the control connection's TLS session, as
 * FileZilla, curl and lftp do, and as servers that require it insist (vsftpd's {@code require_ssl_reuse}, polyserve's
 * default): without it they refuse every transfer with 522.
 *
 * <p>The JDK resumes a client session only for the host and port it was made with, and a data connection goes to
 * another port, with no API to hand it a session. So before each data handshake the control session is put in the
 * JDK's client cache under the data connection's address: the trick Commons Net's own {@code _prepareDataSocket_}
 * hook exists for (NET-408, used by Cyberduck). It needs {@code java.base/sun.security.ssl} and
 * {@code sun.security.util} open (the CLI jar's manifest opens them). It speaks TLS 1.2: a TLS 1.3 session ticket
 * resumes once in the JDK, so with 1.3 only the first transfer of a login could resume.
 */
final class ReusingFtpsClient extends FTPSClient implements ListingClient {
    /** {@code implicit}: TLS from the first byte (implicit FTPS), else AUTH TLS after the greeting. */
    ReusingFtpsClient(TlsClient tls, boolean implicit) {
        super(implicit, tls.context());
        setEndpointCheckingEnabled(tls.verifiesHost());
        setEnabledProtocols(new String[] {"TLSv1.2"});
    }

    @Override
    public Socket openData(String command, String arg) throws IOException {
        return _openDataConnection_(command, arg);   // FTPSClient's: TLS on the data connection under PROT P
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
            for (String host : new String[] {socket.getInetAddress().getHostName(), socket.getInetAddress().getHostAddress()}) {
                put.invoke(byHostPort, (host + ":" + socket.getPort()).toLowerCase(Locale.ROOT), session);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot resume the TLS session on the data connection (" + e + "); run with "
                    + "--add-opens java.base/sun.security.ssl=ALL-UNNAMED --add-opens java.base/sun.security.util=ALL-UNNAMED", e);
        }
    }
}
