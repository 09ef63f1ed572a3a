package dev.polyserve.services.chat.redis;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the room's Redis is: {@code redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]}, or {@code rediss://} for TLS.
 * {@link #toString()} is the form for logs and messages: it never shows the password.
 */
public final class RedisAddress {
    private final RedisURI uri;
    private final String shown;

    private RedisAddress(RedisURI uri, String shown) {
        this.uri = uri;
        this.shown = shown;
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
        return new RedisAddress(parsed, shown);
    }

    RedisURI uri() {
        return uri;
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
