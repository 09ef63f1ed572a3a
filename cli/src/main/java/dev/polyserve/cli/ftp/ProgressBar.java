package dev.polyserve.cli.ftp;

import dev.polyserve.cli.ProgressLine;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A transfer's progress with rate and ETA on the shared {@link ProgressLine}, redrawn in place on a terminal and cut to
 * its width: {@code report.pdf [==========>         ] 50%  12.0 MiB  8.1 MiB/s  ETA 0:02}. Without a known size it
 * shows bytes and rate only; a long name is shortened in the middle so the figures stay on screen. Off a terminal it
 * draws nothing: the shell prints one summary line instead ({@link TransferOutcome#summary}).
 */
final class ProgressBar {
    /** Redraw at most this often: 10 times a second is smooth to the eye and cheap. */
    static final long REDRAW_NANOS = 100_000_000L;

    /** A name longer than this share of the line is cut in the middle ({@code "very-lo…name.bin"}). */
    static final double MAX_LABEL_SHARE = 0.4;

    private final ProgressLine out;
    private final String label;
    private final long total;
    private final long offset;
    private final LongSupplier clock;
    private final long start;
    private long lastDraw;
    private long done;

    /**
     * @param total  bytes expected in all (including {@code offset}), or -1 if unknown
     * @param offset bytes already there before this transfer (a resume)
     */
    ProgressBar(ProgressLine out, String label, long total, long offset, LongSupplier nanoClock) {
        this.out = out;
        this.label = shorten(label, Math.max(8, (int) (out.columns() * MAX_LABEL_SHARE)));
        this.total = total;
        this.offset = offset;
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.lastDraw = start - REDRAW_NANOS;
    }

    ProgressBar(ProgressLine out, String label, long total, long offset) {
        this(out, label, total, offset, System::nanoTime);
    }

    /** {@code moved} bytes of this transfer have gone; redraws when {@link #REDRAW_NANOS} passed since the last. */
    void update(long moved) {
        done = moved;
        long now = clock.getAsLong();
        if (now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            out.show(line(now));
        }
    }

    /** Wipes the bar: the shell's summary line takes its place. */
    void clear() {
        out.clear();
    }

    /**
     * The line for now. On a narrow terminal the figures give way from the right (ETA, then rate) rather than be cut
     * mid-word; the bar itself is drawn only where it fits ({@link ProgressLine#bar}).
     */
    String line(long now) {
        double secs = Math.max((now - start) / 1e9, 1e-3);
        double rate = done / secs;
        long have = offset + done;
        double frac = total > 0 ? Math.min(1.0, (double) have / total) : -1;
        String figures = (total > 0 ? String.format(Locale.ROOT, "%3d%%  ", (int) Math.floor(frac * 100)) : "") + size(have);
        String withRate = figures + "  " + size((long) rate) + "/s";
        String full = withRate;
        if (total > 0 && rate > 0 && have < total) {
            long eta = (long) Math.ceil((total - have) / rate);
            full += String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60);
        }
        String prefix = label + " ";
        for (String f : new String[] {full, withRate}) {
            if (prefix.length() + f.length() <= out.columns()) return out.bar(prefix, frac, f);
        }
        return out.bar(prefix, frac, figures);
    }

    /** {@code name} in at most {@code max} characters, the middle replaced by an ellipsis. */
    static String shorten(String name, int max) {
        if (name.length() <= max) return name;
        int head = (max - 1) / 2;
        return name.substring(0, head) + "…" + name.substring(name.length() - (max - 1 - head));
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
