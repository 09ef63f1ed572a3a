package dev.polyserve.services.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** IMF-fixdate formatting and parsing (RFC 9110 section 5.6.7), with the current second's Date cached. */
final class HttpDates {
    private HttpDates() {}

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private record Cached(long epochSecond, byte[] line) {}

    private static volatile Cached now = new Cached(0, new byte[0]);

    /** {@code "Date: <now>\r\n"} as bytes, made once a second, not once a request; callers must not modify it. */
    static byte[] dateLine() {
        long sec = System.currentTimeMillis() / 1000;
        Cached c = now;
        if (c.epochSecond != sec) {
            byte[] line = ("Date: " + format(sec * 1000) + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            c = new Cached(sec, line);
            now = c;
        }
        return c.line;
    }

    static String format(long epochMillis) {
        return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Epoch milliseconds of an IMF-fixdate (or RFC 850 / asctime as RFC 1123 parsing allows), or -1. */
    static long parse(String s) {
        if (s == null) return -1;
        try {
            return ZonedDateTime.parse(s.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
