package dev.polyserve.services.chat.redis;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the room's Redis is: {@code redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]}, or {@code rediss://} for TLS.
 * {@link #toString()} is the form for logs and messages: it never shows the password. A {@code rediss://} server
 * is verified against the JDK's trusted authorities, or against the one given by {@link #trusting} (a private CA,
 * a self-signed server certificate).
 */
public final class RedisAddress {
    private final RedisURI uri;
    private final String shown;
    /** PEM certificates to trust instead of the JDK's authorities, or null. */
    private final Path trustedCertificates;

    private RedisAddress(RedisURI uri, String shown, Path trustedCertificates) {
        this.uri = uri;
        this.shown = shown;
        this.trustedCertificates = trustedCertificates;
    }

    /** @throws IllegalArgumentException with a reason (that never repeats the password) if {@code url} is not one */
    public static RedisAddress parse(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a Redis URL (redis://HOST:PORT[/DB] or rediss://...): " + redactedGuess(url));
        }
        String scheme = u.getScheme();
        if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
            throw new IllegalArgumentException("a Redis URL starts with redis:// or rediss:// (TLS), not " + redactedGuess(url));
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new IllegalArgumentException("a Redis URL needs a host: redis://HOST:PORT[/DB]");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (!path.isEmpty() && !path.equals("/") && !path.substring(1).chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("the path of a Redis URL is a database number (redis://HOST:PORT/0), not " + path);
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("a Redis URL here takes no ?query or #fragment: redis://[USER:PASSWORD@]HOST:PORT[/DB]");
        }
        RedisURI parsed = RedisURI.create(u);
        String user = u.getRawUserInfo() == null ? null : u.getRawUserInfo().split(":", 2)[0];
        String shown = scheme + "://" + (user == null || user.isEmpty() ? "" : user + "@") + hostForUrl(parsed.getHost())
                + ":" + parsed.getPort() + (parsed.getDatabase() == 0 ? "" : "/" + parsed.getDatabase());
        return new RedisAddress(parsed, shown, null);
    }

    /**
     * This address, verifying the server against the PEM certificates in {@code pemFile} (a CA, or the server's own
     * self-signed certificate) rather than the JDK's authorities.
     *
     * @throws IllegalArgumentException if this is not a {@code rediss://} address or the file cannot be read
     */
    public RedisAddress trusting(Path pemFile) {
        if (!uri.isSsl()) throw new IllegalArgumentException("a certificate to trust is for a TLS address (rediss://), not " + shown);
        if (!Files.isReadable(pemFile)) throw new IllegalArgumentException("cannot read the certificates to trust: " + pemFile);
        return new RedisAddress(uri, shown, pemFile);
    }

    RedisURI uri() {
        return uri;
    }

    /** PEM certificates to trust instead of the JDK's authorities, or null. */
    Path trustedCertificates() {
        return trustedCertificates;
    }

    @Override
    public String toString() {
        return shown;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** The URL with anything between {@code //} and {@code @} hidden, for the message about a URL we cannot parse. */
    private static String redactedGuess(String url) {
        return url.replaceAll("//[^/@]*@", "//***@");
    }
}
