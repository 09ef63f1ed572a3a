package dev.polyserve.cli.bench;

import dev.polyserve.cli.ProgressLine;
import dev.polyserve.loadgen.ProgressDisplay;
import java.util.Locale;

/**
 * {@code bench echo}'s progress on the shared {@link ProgressLine}:
 * {@code [=========>          ] measuring 4.2/10.0 s  812,345 msg/s  100/100 conns}.
 */
final class EchoProgress implements ProgressDisplay {
    private final ProgressLine line;

    EchoProgress(ProgressLine line) {
        this.line = line;
    }

    @Override
    public void connecting(long connected, int requested) {
        line.show(String.format(Locale.ROOT, "connecting %,d/%,d", connected, requested));
    }

    @Override
    public void running(Phase phase, double elapsed, double total, double rate, long connected, int requested) {
        String label = switch (phase) {
            case WARMUP -> "warm-up";
            case MEASURING -> "measuring";
            case DRAINING -> "draining";
        };
        String figures = String.format(Locale.ROOT, "%s %.1f/%.1f s  %,.0f msg/s  %,d/%,d conns",
                label, elapsed, total, rate, connected, requested);
        line.show(line.bar("", total <= 0 ? 1 : elapsed / total, figures));
    }

    @Override
    public void done() {
        line.clear();
    }
}
