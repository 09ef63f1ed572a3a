package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.examples.Demos;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        DemoCommand cmd = new DemoCommand();
        cmd.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new CommandLine(cmd).execute(args);
    }

    @Test
    void listShowsEveryDemoWithItsDescription() {
        assertThat(run("--list")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(Demos.names()).hasSizeGreaterThanOrEqualTo(10).allSatisfy(n -> assertThat(text).contains(n));
        assertThat(text).contains("Value, Array").contains("GIL");
    }

    @Test
    void aDemoRunsByNameAndEndsWithItsVerdict() {
        assertThat(run("semaphore")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList().getLast()).startsWith("verdict: ");
    }

    @Test
    void optionsAfterTheNameGoToTheDemo() {
        assertThat(run("tickets", "--no-lock")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("NO lock").contains("sold twice");
    }

    @Test
    void anUnknownDemoOrOptionIsExitCodeTwoWithTheList() {
        assertThat(run("nope")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no demo called 'nope'").contains("tickets");
        assertThat(run("tickets", "--bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --bogus");
    }
}
