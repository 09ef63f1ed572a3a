package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayDeque;
import java.util.Deque;

/** Percent-decoding and dot-segment removal for request paths, and encoding for links and redirects. */
final class PathCodec {
    private PathCodec() {}

    /**
     * The decoded path of an origin-form or absolute-form target's path component, with {@code .} and {@code ..}
     * resolved (RFC 3986 section 5.2.4) and empty segments dropped; a trailing slash is kept. Returns null when the
     * path is not valid: bad percent escapes, invalid UTF-8, NUL, or {@code ..} climbing above {@code /} (which nginx
     * also answers with 400).
     */
    static String decodeAndNormalise(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') return null;
        if (isPlain(rawPath)) return rawPath;
        String decoded = percentDecode(rawPath, false);
        if (decoded == null || decoded.indexOf('\0') >= 0) return null;
        Deque<String> segments = new ArrayDeque<>();
        for (String seg : decoded.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (segments.isEmpty()) return null;
                segments.removeLast();
            } else {
                segments.addLast(seg);
            }
        }
        StringBuilder sb = new StringBuilder(decoded.length() + 1);
        for (String s : segments) sb.append('/').append(s);
        boolean trailingSlash = decoded.endsWith("/") || decoded.endsWith("/.") || decoded.endsWith("/..");
        if (sb.isEmpty() || trailingSlash) sb.append('/');
        return sb.toString();
    }

    /** No escapes, no dot segments, no empty segments: already decoded and normal (the common case, no copying). */
    private static boolean isPlain(String p) {
        for (int i = 0, n = p.length(); i < n; i++) {
            char c = p.charAt(i);
            if (c == '%' || c == '\0' || c >= 0x80) return false;
            if (c == '/' && i + 1 < n && (p.charAt(i + 1) == '/' || p.charAt(i + 1) == '.')) return false;
        }
        return true;
    }

    /** Decodes one query key or value: {@code +} is a space, bad escapes stay as they are. */
    static String decodeQueryComponent(String s) {
        String d = percentDecode(s.replace('+', ' '), true);
        return d == null ? s : d;
    }

    /** Percent-decodes {@code s} as UTF-8; null on a malformed escape or invalid UTF-8 unless {@code lenient}. */
    private static String percentDecode(String s, boolean lenient) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    if (!lenient) return null;
                    out.write(c);
                    continue;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(UTF_8);
                out.write(b, 0, b.length);
            }
        }
        try {
            return UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Percent-encodes a path for a URL: unreserved characters and {@code /} stay, everything else is escaped. */
    static String encodePath(String path) {
        StringBuilder sb = new StringBuilder(path.length() + 8);
        for (byte b : path.getBytes(UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    /** Escapes text for HTML element content and attribute values. */
    static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
