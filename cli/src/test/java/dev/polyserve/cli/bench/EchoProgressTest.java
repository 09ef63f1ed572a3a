package dev.polyserve.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.cli.ProgressLine;
import dev.polyserve.loadgen.ProgressDisplay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EchoProgressTest {

    /** The case: bench echo's line was 84 characters and scrolled an 80-column terminal. */
    @Test
    void benchEchoFitsEightyColumnsAtItsWidest() {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        EchoProgress echo = new EchoProgress(new ProgressLine(new PrintStream(screen, true, StandardCharsets.UTF_8), true, 80));
        echo.connecting(10_000, 10_000);
        echo.running(ProgressDisplay.Phase.MEASURING, 9.9, 10.0, 12_345_678, 10_000, 10_000);
        echo.done();
        String[] frames = screen.toString(StandardCharsets.UTF_8).split("\r");
        assertThat(frames).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(79))
                .contains("connecting 10,000/10,000")
                .anySatisfy(f -> assertThat(f).startsWith("[====").endsWith("] measuring 9.9/10.0 s  12,345,678 msg/s  10,000/10,000 conns"));
    }
}
