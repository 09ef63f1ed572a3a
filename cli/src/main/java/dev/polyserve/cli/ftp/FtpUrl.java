package dev.polyserve.cli.ftp;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * An {@code ftp://[user[:password]@]host[:port]/path} URL (RFC 1738 section 3.2). Without a user it is
 * anonymous; the path is percent-decoded and taken from the login directory, as curl does. {@code ftps://} is implicit
 * FTPS: TLS from the first byte, on {@link #IMPLICIT_TLS_PORT} unless a port is given (curl reads it the same way).
 */
record FtpUrl(String host, int port, String user, String password, String path, boolean implicitTls) {
    /** polyserve's FTP port ({@link FtpServeCommand#DEFAULT_PORT}), not FTP's 21: the client is first for polyserve's server. */
    static final int DEFAULT_PORT = FtpServeCommand.DEFAULT_PORT;
    /** Implicit FTPS's registered port (ftps, 990), the default of an {@code ftps://} URL. */
    static final int IMPLICIT_TLS_PORT = 990;

    /** A plain {@code ftp://} URL's parts. */
    FtpUrl(String host, int port, String user, String password, String path) {
        this(host, port, user, password, path, false);
    }

    static FtpUrl parse(String s) {
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + s + " (" + e.getReason() + ")");
        }
        boolean implicitTls = "ftps".equalsIgnoreCase(u.getScheme());
        if (!(implicitTls || "ftp".equalsIgnoreCase(u.getScheme())) || u.getHost() == null) {
            throw new IllegalArgumentException("expected ftp[s]://[user[:password]@]host[:port]/path, got " + s);
        }
        String user = "anonymous";
        String password = "polyserve@";
        if (u.getRawUserInfo() != null) {
            String[] ui = u.getRawUserInfo().split(":", 2);
            user = decode(ui[0]);
            password = ui.length > 1 ? decode(ui[1]) : "";
        }
        String path = u.getRawPath() == null ? "" : decode(u.getRawPath());
        if (path.startsWith("/")) path = path.substring(1);
        int port = u.getPort() >= 0 ? u.getPort() : implicitTls ? IMPLICIT_TLS_PORT : DEFAULT_PORT;
        return new FtpUrl(u.getHost(), port, user, password, path, implicitTls);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The last path segment: the default local name for a download. */
    String fileName() {
        int slash = path.lastIndexOf('/');
        return path.substring(slash + 1);
    }

    boolean pointsAtDirectory() {
        return path.isEmpty() || path.endsWith("/");
    }
}
