package dev.polyserve.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class EchoBenchCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine bench = new CommandLine(new BenchCommand());
        bench.setOut(new PrintWriter(out, true));
        bench.setErr(new PrintWriter(err, true));
        return bench.execute(args);
    }

    @Test
    void printsAReportAndOneSummaryLine() throws Exception {
        try (var server = dev.polyserve.core.Server.tcp(0).model("nio").service(new dev.polyserve.services.echo.EchoService(false)).start()) {
            long self = ProcessHandle.current().pid();
            int exit = run("echo", "--port", Integer.toString(server.localAddress().getPort()), "--connections", "3",
                    "--size", "32", "--duration", "0.3", "--warmup", "0", "--server-pid", Long.toString(self), "--quiet");

            assertThat(exit).isZero();
            assertThat(out.toString()).contains("msgs/s", "p99", "msgs per server CPU-second")
                    .containsOnlyOnce("RESULT ").contains(" connections=3 ", " size=32 ", " server_pid=" + self + " ");
        }
    }

    @Test
    void badOptionsExitWithTwoAndAReason() {
        assertThat(run("echo", "--port", "7", "--connections", "0", "--quiet")).isEqualTo(2);
        assertThat(err.toString()).contains("connections must be between 1 and");
    }

    @Test
    void helpMentionsTheDescriptorLimit() {
        assertThat(run("echo", "--help")).isZero();
        assertThat(out.toString()).contains("ulimit -n", "--server-pid", "--depth");
    }
}
