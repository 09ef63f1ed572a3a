package dev.polyserve.services.http;

import dev.polyserve.core.MinimumRate;
import java.time.Duration;
import java.util.Objects;

/**
 * The server-owned limits of the HTTP service (Go's net/http model: the server, not the handler, owns timeouts).
 *
 * @param maxBody          largest request body accepted, else 413
 * @param headerTimeout    time allowed for a complete request head, else 408 and close; zero = none
 * @param keepAliveTimeout how long an idle keep-alive connection is kept; zero = until the engine's idle timeout
 * @param bodyRate         the slowest a request body may arrive, else 408 and close; null = no check
 * @param sendRate         the slowest a client may take its responses, else the connection is aborted; null = no check
 * @param maxPerAddress    most connections open at once from one client address, else 503 and close; 0 = no cap
 * @param accessLog        where to log requests, or null for no access log
 * @param hsts             max-age of the Strict-Transport-Security field on every response (served over TLS only,
 *                         RFC 6797 section 7.2), or null for none
 */
public record HttpOptions(long maxBody, Duration headerTimeout, Duration keepAliveTimeout, MinimumRate bodyRate,
                          MinimumRate sendRate, int maxPerAddress, AccessLog accessLog, Duration hsts) {

    public HttpOptions {
        if (maxBody < 0) throw new IllegalArgumentException("max body must not be negative");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        if (headerTimeout.isNegative() || keepAliveTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
        if (maxPerAddress < 0) throw new IllegalArgumentException("connections per address must not be negative");
        if (hsts != null && hsts.isNegative()) throw new IllegalArgumentException("HSTS max-age must not be negative");
    }

    /** The defaults of {@link HttpLimits}, no access log. */
    public static HttpOptions defaults() {
        return new HttpOptions(HttpLimits.DEFAULT_MAX_BODY, HttpLimits.DEFAULT_HEADER_TIMEOUT,
                HttpLimits.DEFAULT_KEEP_ALIVE_TIMEOUT, HttpLimits.DEFAULT_BODY_RATE, HttpLimits.DEFAULT_SEND_RATE,
                HttpLimits.DEFAULT_MAX_PER_ADDRESS, null, null);
    }

    public HttpOptions withMaxBody(long bytes) {
        return new HttpOptions(bytes, headerTimeout, keepAliveTimeout, bodyRate, sendRate, maxPerAddress, accessLog, hsts);
    }

    public HttpOptions withHeaderTimeout(Duration d) {
        return new HttpOptions(maxBody, d, keepAliveTimeout, bodyRate, sendRate, maxPerAddress, accessLog, hsts);
    }

    public HttpOptions withKeepAliveTimeout(Duration d) {
        return new HttpOptions(maxBody, headerTimeout, d, bodyRate, sendRate, maxPerAddress, accessLog, hsts);
    }

    public HttpOptions withBodyRate(MinimumRate rate) {
        return new HttpOptions(maxBody, headerTimeout, keepAliveTimeout, rate, sendRate, maxPerAddress, accessLog, hsts);
    }

    public HttpOptions withSendRate(MinimumRate rate) {
        return new HttpOptions(maxBody, headerTimeout, keepAliveTimeout, bodyRate, rate, maxPerAddress, accessLog, hsts);
    }

    public HttpOptions withMaxPerAddress(int n) {
        return new HttpOptions(maxBody, headerTimeout, keepAliveTimeout, bodyRate, sendRate, n, accessLog, hsts);
    }

    public HttpOptions withHsts(Duration maxAge) {
        return new HttpOptions(maxBody, headerTimeout, keepAliveTimeout, bodyRate, sendRate, maxPerAddress, accessLog, maxAge);
    }

    public HttpOptions withAccessLog(AccessLog log) {
        return new HttpOptions(maxBody, headerTimeout, keepAliveTimeout, bodyRate, sendRate, maxPerAddress, log, hsts);
    }
}
