package dev.polyserve.services.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The server-owned limits of the HTTP service (Go's net/http model: the server, not the handler, owns timeouts).
 *
 * @param maxBody          largest request body accepted, else 413
 * @param headerTimeout    time allowed for a complete request head, else 408 and close; zero = none
 * @param keepAliveTimeout how long an idle keep-alive connection is kept; zero = until the engine's idle timeout
 * @param accessLog        where to log requests, or null for no access log
 */
public record HttpOptions(long maxBody, Duration headerTimeout, Duration keepAliveTimeout, AccessLog accessLog) {

    public HttpOptions {
        if (maxBody < 0) throw new IllegalArgumentException("max body must not be negative");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        if (headerTimeout.isNegative() || keepAliveTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
    }

    /** The defaults of {@link HttpLimits}, no access log. */
    public static HttpOptions defaults() {
        return new HttpOptions(HttpLimits.DEFAULT_MAX_BODY, HttpLimits.DEFAULT_HEADER_TIMEOUT,
                HttpLimits.DEFAULT_KEEP_ALIVE_TIMEOUT, null);
    }

    public HttpOptions withMaxBody(long bytes) {
        return new HttpOptions(bytes, headerTimeout, keepAliveTimeout, accessLog);
    }

    public HttpOptions withHeaderTimeout(Duration d) {
        return new HttpOptions(maxBody, d, keepAliveTimeout, accessLog);
    }

    public HttpOptions withKeepAliveTimeout(Duration d) {
        return new HttpOptions(maxBody, headerTimeout, d, accessLog);
    }

    public HttpOptions withAccessLog(AccessLog log) {
        return new HttpOptions(maxBody, headerTimeout, keepAliveTimeout, log);
    }
}
