package dev.polyserve.services.ftp;

/** An inclusive range of TCP ports, written {@code FIRST-LAST} (e.g. {@code 30000-30100}). */
public record PortRange(int first, int last) {
    public PortRange {
        if (first < 1024 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range must lie within 1024-65535 and not be empty: " + first + "-" + last);
        }
    }

    /** Parses {@code FIRST-LAST}. */
    public static PortRange parse(String s) {
        String[] f = s.trim().split("-");
        if (f.length != 2) throw new IllegalArgumentException("expected FIRST-LAST, got '" + s + "'");
        try {
            return new PortRange(Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected FIRST-LAST, got '" + s + "'", e);
        }
    }

    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
