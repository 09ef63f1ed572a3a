package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one progress display: fits the terminal, redraws in place, silent off a terminal. */
class ProgressLineTest {
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private ProgressLine line(boolean terminal, int width) {
        return new ProgressLine(new PrintStream(screen, true, StandardCharsets.UTF_8), terminal, width);
    }

    private String[] frames() {
        return screen.toString(StandardCharsets.UTF_8).split("\r", -1);
    }

    @Test
    void widthComesFromColumnsThenTheTerminalThenEighty() {
        assertThat(ProgressLine.terminalWidth(Map.of("COLUMNS", "132"), () -> 100)).isEqualTo(132);
        assertThat(ProgressLine.terminalWidth(Map.of("COLUMNS", "junk"), () -> 100)).isEqualTo(100);
        assertThat(ProgressLine.terminalWidth(Map.of(), () -> 0)).isEqualTo(ProgressLine.DEFAULT_WIDTH);
    }

    @Test
    void aLineIsCutToTheWidthAndAShorterOneWipesTheRest() {
        ProgressLine l = line(true, 20);
        l.show("x".repeat(50));
        l.show("short");
        assertThat(frames()).containsExactly("", "x".repeat(19), "short" + " ".repeat(14));
        l.clear();
        assertThat(screen.toString(StandardCharsets.UTF_8)).endsWith("\r" + " ".repeat(5) + "\r");
    }

    @Test
    void theLineIsShownOnlyWhenStderrIsATerminal() {
        assertThat(ProgressLine.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(ProgressLine.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(ProgressLine.isTerminalDevice("/tmp/get.log")).as("2>get.log").isFalse();
        assertThat(ProgressLine.isTerminalDevice("pipe:[81234]")).as("2>&1 | tee").isFalse();
        assertThat(ProgressLine.isTerminalDevice("/dev/null")).isFalse();
        // This JVM's stderr is the test runner's pipe or file, whatever terminal the build was started from.
        assertThat(ProgressLine.stderrIsTerminal()).isFalse();
        assertThat(ProgressLine.onStderr(() -> 80).visible()).isFalse();
    }

    @Test
    void offATerminalNothingIsWritten() {
        ProgressLine l = line(false, 80);
        l.show("progress");
        l.finish("done");
        l.clear();
        assertThat(screen.size()).isZero();
    }

    @Test
    void theBarTakesWhatTheFiguresLeaveAndGoesWhenTooNarrow() {
        // 39 usable columns, 2 + 12 for the label and figures, 3 for the brackets: a bar of 22.
        assertThat(line(true, 40).bar("f ", 0.5, "50%  1.0 MiB")).isEqualTo("f [" + "=".repeat(11) + ">" + " ".repeat(10) + "] 50%  1.0 MiB");
        assertThat(line(true, 200).bar("", 1, "x")).isEqualTo("[" + "=".repeat(ProgressLine.MAX_BAR) + "] x");
        assertThat(line(true, 20).bar("", 0.5, "figures that fill it")).isEqualTo("figures that fill it");
        assertThat(line(true, 80).bar("f ", -1, "1.0 MiB")).as("unknown size: no bar").isEqualTo("f 1.0 MiB");
    }
}
