package dev.polyserve.services.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * The lines flood control dropped from one read, by their number within the burst, so the sender can be told
 * exactly which to send again: {@code lines 21-50 of your last 50 lines}.
 */
final class DroppedLines {
    /** Ranges listed before the rest are summed up: a report stays one readable line. */
    static final int MAX_RANGES_SHOWN = 5;

    private final List<int[]> ranges = new ArrayList<>();
    private int count;

    void add(int lineInBurst) {
        count++;
        if (!ranges.isEmpty() && ranges.getLast()[1] == lineInBurst - 1) ranges.getLast()[1] = lineInBurst;
        else ranges.add(new int[] {lineInBurst, lineInBurst});
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * {@code Slow down: at most 20 lines per second. Not sent: lines 21-30, 32-50 of your last 50 lines; send them
     * again in a moment.}, then empty again.
     */
    String report(int rate, int linesInBurst) {
        StringBuilder sb = new StringBuilder("Slow down: at most ").append(rate).append(" lines per second. Not sent: ")
                .append(count == 1 ? "line " : "lines ");
        for (int i = 0; i < Math.min(ranges.size(), MAX_RANGES_SHOWN); i++) {
            int[] r = ranges.get(i);
            if (i > 0) sb.append(", ");
            sb.append(r[0]);
            if (r[1] > r[0]) sb.append('-').append(r[1]);
        }
        if (ranges.size() > MAX_RANGES_SHOWN) sb.append(" and ").append(ranges.size() - MAX_RANGES_SHOWN).append(" more ranges");
        sb.append(" (").append(count).append(" in all) of your last ").append(linesInBurst)
                .append(" lines; send ").append(count == 1 ? "it" : "them").append(" again in a moment.");
        ranges.clear();
        count = 0;
        return sb.toString();
    }
}
