package dev.polyserve.services.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Header fields in arrival order. Names compare case-insensitively (RFC 9110 section 5.1); a name may repeat.
 * Immutable once built by the parser; responses use their own list.
 */
public final class HttpHeaders {
    private final List<String> names = new ArrayList<>(8);
    private final List<String> values = new ArrayList<>(8);

    HttpHeaders() {}

    void add(String name, String value) {
        names.add(name);
        values.add(value);
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        for (int i = 0, n = names.size(); i < n; i++) {
            if (names.get(i).equalsIgnoreCase(name)) return values.get(i);
        }
        return null;
    }

    /** Every value of {@code name} in order (possibly empty). */
    public List<String> all(String name) {
        List<String> out = null;
        for (int i = 0, n = names.size(); i < n; i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                if (out == null) out = new ArrayList<>(2);
                out.add(values.get(i));
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

    /** Whether the comma-separated field {@code name} holds {@code token}, ignoring case. */
    public boolean hasToken(String name, String token) {
        for (String t : tokens(name)) {
            if (t.equalsIgnoreCase(token)) return true;
        }
        return false;
    }

    public boolean contains(String name) {
        return first(name) != null;
    }

    public int size() {
        return names.size();
    }

    /** Field names as received, in order, one per field line. */
    public List<String> names() {
        return Collections.unmodifiableList(names);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) sb.append(names.get(i)).append(": ").append(values.get(i)).append('\n');
        return sb.toString();
    }
}
