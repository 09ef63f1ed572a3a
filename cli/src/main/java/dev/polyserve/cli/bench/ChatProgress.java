package dev.polyserve.cli.bench;

import dev.polyserve.cli.ProgressLine;
import dev.polyserve.loadgen.chat.ChatLoad;
import java.util.Locale;

/**
 * {@code bench chat}'s progress on the shared {@link ProgressLine}: members joining, then
 * {@code [======>        ] 41% 120,000/290,000 delivered  6.1 s  19,672 lines/s}.
 */
final class ChatProgress implements ChatLoad.Progress {
    private final ProgressLine line;

    ChatProgress(ProgressLine line) {
        this.line = line;
    }

    @Override
    public void joining(int joined, int members) {
        line.show(String.format(Locale.ROOT, "joining %,d/%,d", joined, members));
    }

    @Override
    public void delivering(double elapsedSeconds, long delivered, long expected) {
        double fraction = expected == 0 ? 1 : (double) delivered / expected;
        String figures = String.format(Locale.ROOT, "%d%% %,d/%,d delivered  %.1f s  %,.0f lines/s",
                (int) Math.floor(fraction * 100), delivered, expected, elapsedSeconds,
                elapsedSeconds > 0 ? delivered / elapsedSeconds : 0);
        line.show(line.bar("", fraction, figures));
    }

    @Override
    public void done() {
        line.clear();
    }
}
