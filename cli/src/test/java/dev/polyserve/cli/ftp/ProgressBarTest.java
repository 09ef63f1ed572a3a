package dev.polyserve.cli.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.cli.ProgressLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Transfer bars at common terminal widths: they fit (no wrap), redraw over themselves, and vanish off a terminal. */
class ProgressBarTest {
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final long[] now = {0};

    private ProgressBar bar(int width, boolean terminal, String name, long total, long offset) {
        return new ProgressBar(new ProgressLine(new PrintStream(screen, true, StandardCharsets.UTF_8), terminal, width), name,
                total, offset, () -> now[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {40, 80, 200})
    void everyDrawnLineFitsTheWidth(int width) {
        for (String name : new String[] {"f", "my file.txt", "a-really-long-file-name-that-goes-on-and-on-forever-and-ever.tar.gz"}) {
            ProgressBar b = bar(width, true, name, 5L << 30, 0);
            for (int i = 1; i <= 20; i++) {
                now[0] += ProgressBar.REDRAW_NANOS;
                b.update((5L << 30) * i / 20);
                assertThat(b.line(now[0]).length()).as("%s at %d columns", name, width).isLessThan(width);
            }
            b.clear();
        }
        for (String frame : screen.toString(StandardCharsets.UTF_8).split("\r")) {
            assertThat(frame.length()).as("what reaches the screen").isLessThan(width);
            assertThat(frame).doesNotContain("\n");
        }
    }

    @Test
    void eightyColumnsShowNameBarFiguresAndEta() {
        ProgressBar b = bar(80, true, "f", 4L << 20, 0);
        now[0] = 1_000_000_000L;
        b.update(1L << 20);
        assertThat(b.line(now[0])).isEqualTo("f [======>                 ]  25%  1.0 MiB  1.0 MiB/s  ETA 0:03");
    }

    @Test
    void fortyColumnsDropTheBarAndTheEtaButKeepTheFigures() {
        ProgressBar b = bar(40, true, "my file.txt", 4L << 20, 0);
        now[0] = 1_000_000_000L;
        b.update(1L << 20);
        assertThat(b.line(now[0])).isEqualTo("my file.txt  25%  1.0 MiB  1.0 MiB/s");
    }

    @Test
    void twoHundredColumnsStopAtTheLongestBar() {
        ProgressBar b = bar(200, true, "f", 4L << 20, 2L << 20);
        now[0] = 1_000_000_000L;
        b.update(1L << 20);
        assertThat(b.line(now[0])).as("a resume counts what was there")
                .isEqualTo("f [" + "=".repeat(18) + ">" + " ".repeat(ProgressLine.MAX_BAR - 19) + "]  75%  3.0 MiB  1.0 MiB/s  ETA 0:01");
    }

    @Test
    void aLongNameIsCutInTheMiddle() {
        assertThat(ProgressBar.shorten("abcdefghijklmnopqrstuvwxyz", 9)).isEqualTo("abcd…wxyz");
        assertThat(ProgressBar.shorten("short", 9)).isEqualTo("short");
    }

    @Test
    void clearWipesTheLineItDrew() {
        ProgressBar b = bar(80, true, "f", 100, 0);
        now[0] = ProgressBar.REDRAW_NANOS;
        b.update(50);
        b.clear();
        String s = screen.toString(StandardCharsets.UTF_8);
        String drawn = s.substring(1, s.indexOf('\r', 1));
        assertThat(s).endsWith("\r" + " ".repeat(drawn.length()) + "\r");
    }

    @Test
    void offATerminalNothingIsDrawn() {
        ProgressBar b = bar(80, false, "f", 100, 0);
        now[0] = ProgressBar.REDRAW_NANOS;
        b.update(50);
        b.clear();
        assertThat(screen.size()).isZero();
    }

    @Test
    void theSummarySaysSizeTimeRateAndResume() {
        assertThat(new TransferOutcome(0, 3L << 20, 3L << 20, 2_000_000_000L, false).summary()).isEqualTo("3.0 MiB in 2.0 s (1.5 MiB/s)");
        assertThat(new TransferOutcome(1024, 0, 1024, 0, false).summary()).isEqualTo("0 B, resumed at 1.0 KiB");
        assertThat(ProgressBar.size(1536)).isEqualTo("1.5 KiB");
    }
}
