package dev.polyserve.services.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Header fields in arrival order. Names compare case-insensitively (RFC 9110 section 5.1); a name may repeat.
 * Immutable once built by the parser; responses use their own list.
 */
public final class HttpHeaders {
    /** Room made by the no-argument constructor. */
    private static final int DEFAULT_FIELDS = 8;

    /** Name and value of field i at 2i and 2i+1: one array per request instead of two lists. */
    private String[] fields;
    private int fieldCount;

    HttpHeaders() {
        this(DEFAULT_FIELDS);
    }

    /** Headers with room for {@code expected} fields (the parser counts the lines first), growing past it. */
    HttpHeaders(int expected) {
        fields = new String[2 * Math.max(1, expected)];
    }

    void add(String name, String value) {
        if (2 * fieldCount == fields.length) fields = java.util.Arrays.copyOf(fields, fields.length * 2);
        fields[2 * fieldCount] = name;
        fields[2 * fieldCount + 1] = value;
        fieldCount++;
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        for (int i = 0; i < fieldCount; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) return fields[2 * i + 1];
        }
        return null;
    }

    /** How many field lines named {@code name} there are (no list made: the parser's framing checks run per request). */
    int count(String name) {
        int n = 0;
        for (int i = 0; i < fieldCount; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) n++;
        }
        return n;
    }

    /** Every value of {@code name} in order (possibly empty). */
    public List<String> all(String name) {
        List<String> out = null;
        for (int i = 0; i < fieldCount; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) {
                if (out == null) out = new ArrayList<>(2);
                out.add(fields[2 * i + 1]);
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * The comma-separated list elements of every {@code name} field, trimmed, empty elements dropped
     * (RFC 9110 section 5.6.1).
     */
    public List<String> tokens(String name) {
        List<String> out = new ArrayList<>(2);
        for (String v : all(name)) {
            for (String part : v.split(",")) {
                String t = part.strip();
                if (!t.isEmpty()) out.add(t);
            }
        }
        return out;
    }

    /** Whether the comma-separated field {@code name} holds {@code token}, ignoring case; makes no lists or strings. */
    public boolean hasToken(String name, String token) {
        for (int i = 0; i < fieldCount; i++) {
            if (fields[2 * i].equalsIgnoreCase(name) && holdsToken(fields[2 * i + 1], token)) return true;
        }
        return false;
    }

    /** Whether one of {@code list}'s comma-separated elements, stripped of whitespace, is {@code token} (any case). */
    private static boolean holdsToken(String list, String token) {
        int from = 0;
        int n = list.length();
        while (from <= n) {
            int comma = list.indexOf(',', from);
            int end = comma < 0 ? n : comma;
            int s = from;
            int e = end;
            while (s < e && Character.isWhitespace(list.charAt(s))) s++;
            while (e > s && Character.isWhitespace(list.charAt(e - 1))) e--;
            if (e - s == token.length() && list.regionMatches(true, s, token, 0, token.length())) return true;
            if (comma < 0) return false;
            from = comma + 1;
        }
        return false;
    }

    public boolean contains(String name) {
        return first(name) != null;
    }

    public int size() {
        return fieldCount;
    }

    /** Field names as received, in order, one per field line. */
    public List<String> names() {
        List<String> out = new ArrayList<>(fieldCount);
        for (int i = 0; i < fieldCount; i++) out.add(fields[2 * i]);
        return Collections.unmodifiableList(out);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fieldCount; i++) sb.append(fields[2 * i]).append(": ").append(fields[2 * i + 1]).append('\n');
        return sb.toString();
    }
}
