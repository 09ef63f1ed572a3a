package dev.polyserve.services.ftp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The TCP ports PASV/EPSV hand out: one or more inclusive ranges, written {@code FIRST-LAST[,FIRST-LAST...]}
 * (e.g. {@code 30000-30100,31000-31100}; a single port is {@code PORT}), as firewalls often open several blocks.
 */
public record PortRange(List<Span> spans) {
    /** One inclusive block of ports. */
    public record Span(int first, int last) {
        public Span {
            if (first < 1024 || last > 65535 || first > last) {
                throw new IllegalArgumentException("port range must lie within 1024-65535 and not be empty: " + first + "-" + last);
            }
        }

        int size() {
            return last - first + 1;
        }

        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    public PortRange {
        spans = List.copyOf(spans);
        if (spans.isEmpty()) throw new IllegalArgumentException("no passive ports");
        List<Span> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingInt(Span::first));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).first() <= sorted.get(i - 1).last()) {
                throw new IllegalArgumentException("port ranges overlap: " + sorted.get(i - 1) + " and " + sorted.get(i));
            }
        }
    }

    /** One block. */
    public PortRange(int first, int last) {
        this(List.of(new Span(first, last)));
    }

    /** Parses {@code FIRST-LAST[,FIRST-LAST...]}, where a block may be a single port. */
    public static PortRange parse(String s) {
        List<Span> spans = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            String[] f = part.trim().split("-", -1);
            try {
                if (f.length == 1) {
                    int p = Integer.parseInt(f[0].trim());
                    spans.add(new Span(p, p));
                } else if (f.length == 2) {
                    spans.add(new Span(Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim())));
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected FIRST-LAST[,FIRST-LAST...], got '" + s + "'", e);
            }
        }
        return new PortRange(spans);
    }

    /** How many ports in all. */
    public int size() {
        return spans.stream().mapToInt(Span::size).sum();
    }

    /** The {@code i}-th port (0 to {@link #size()} - 1), in the order the blocks were written. */
    public int port(int i) {
        if (i < 0) throw new IndexOutOfBoundsException(i);
        for (Span sp : spans) {
            if (i < sp.size()) return sp.first() + i;
            i -= sp.size();
        }
        throw new IndexOutOfBoundsException("port " + i + " beyond the range " + this);
    }

    @Override
    public String toString() {
        return spans.stream().map(Span::toString).collect(Collectors.joining(","));
    }
}
