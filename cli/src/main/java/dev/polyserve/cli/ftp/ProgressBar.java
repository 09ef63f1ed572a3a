package dev.polyserve.cli.ftp;

import dev.polyserve.cli.ProgressLine;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.apache.commons.net.io.CopyStreamEvent;
import org.apache.commons.net.io.CopyStreamListener;

/**
 * A transfer's progress with rate and ETA on the shared {@link ProgressLine}, redrawn in place on a terminal:
 * {@code report.pdf [==========>         ] 50%  12.0 MiB  8.1 MiB/s  ETA 0:02}. Without a known size it shows bytes
 * and rate only.
 */
final class ProgressBar implements CopyStreamListener {
    /** Redraw at most this often: 10 times a second is smooth to the eye and cheap. */
    static final long REDRAW_NANOS = 100_000_000L;

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
        this.label = label;
        this.total = total;
        this.offset = offset;
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.lastDraw = start - REDRAW_NANOS;
    }

    ProgressBar(ProgressLine out, String label, long total, long offset) {
        this(out, label, total, offset, System::nanoTime);
    }

    @Override
    public void bytesTransferred(CopyStreamEvent event) {
        bytesTransferred(event.getTotalBytesTransferred(), event.getBytesTransferred(), event.getStreamSize());
    }

    @Override
    public void bytesTransferred(long totalBytesTransferred, int bytesTransferred, long streamSize) {
        done = totalBytesTransferred;
        long now = clock.getAsLong();
        if (now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            out.show(line(now));
        }
    }

    /** Draws the final state and ends the line. */
    void finish() {
        out.finish(line(clock.getAsLong()));
    }

    String line(long now) {
        double secs = Math.max((now - start) / 1e9, 1e-3);
        double rate = done / secs;
        long have = offset + done;
        double frac = total > 0 ? Math.min(1.0, (double) have / total) : -1;
        StringBuilder b = new StringBuilder();
        if (total > 0) b.append(String.format(Locale.ROOT, "%3d%%  ", (int) Math.floor(frac * 100)));
        b.append(size(have)).append("  ").append(size((long) rate)).append("/s");
        if (total > 0 && rate > 0 && have < total) {
            long eta = (long) Math.ceil((total - have) / rate);
            b.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
        } else if (total > 0 && have >= total) {
            b.append(String.format(Locale.ROOT, "  in %.1fs", secs));
        }
        return out.bar(label + " ", frac, b.toString());
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
